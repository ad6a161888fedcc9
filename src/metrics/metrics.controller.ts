import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { Response } from 'express';
import { Public } from '../auth/auth.decorators';
import { RequireMetricsToken } from './metrics-token.guard';
import { MetricsService } from './metrics.service';

@ApiTags('operations')
@Public()
@SkipThrottle()
@RequireMetricsToken()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @ApiOperation({
    summary: 'Prometheus metrics of this instance',
    description: 'Text exposition format; scrape every instance, not the load balancer.',
  })
  @ApiProduces('text/plain')
  @ApiOkResponse({
    description: 'Metrics in the Prometheus text format',
    content: {
      'text/plain': {
        schema: { type: 'string' },
        example: '# TYPE herald_ws_connections gauge\nherald_ws_connections 12\n',
      },
    },
  })
  async scrape(@Res() response: Response): Promise<void> {
    const body = await this.metrics.registry.metrics();
    response.set('Content-Type', this.metrics.registry.contentType).send(body);
  }
}
