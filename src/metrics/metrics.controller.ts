import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { Registry } from 'prom-client';
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
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE) // the registry's own (text 0.0.4)
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
