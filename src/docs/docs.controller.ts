import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/auth.decorators';
import { asyncApiDocument } from './asyncapi';

@ApiTags('operations')
@Public()
@Controller('docs')
export class DocsController {
  private readonly asyncApi = asyncApiDocument();

  @Get('asyncapi.json')
  @ApiOperation({ summary: 'The WebSocket protocol (GET /ws) as an AsyncAPI 2.6 document' })
  @ApiOkResponse({
    description: 'AsyncAPI document',
    content: { 'application/json': { schema: { type: 'object' } } },
  })
  asyncapi(): Record<string, unknown> {
    return this.asyncApi;
  }
}
