/** `GET /push-sw.js`: the Web Push service worker (no token needed). */
import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/auth.decorators';
import { PUSH_SW_SOURCE } from './push-sw';

@Public()
@ApiTags('push')
@Controller()
export class PushServiceWorkerController {
  @Get('push-sw.js')
  @ApiOperation({
    summary: 'The Web Push service worker',
    description:
      "No token needed. Register it on Herald's origin, or from a page on another origin " +
      "with a one-line worker of its own: importScripts('<herald>/push-sw.js').",
  })
  @ApiProduces('text/javascript')
  @ApiOkResponse({ description: 'The service worker script', schema: { type: 'string' } })
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=300')
  @Header('X-Content-Type-Options', 'nosniff')
  // Pages on other origins load it with importScripts() from a worker of their own.
  @Header('Cross-Origin-Resource-Policy', 'cross-origin')
  worker(): string {
    return PUSH_SW_SOURCE;
  }
}
