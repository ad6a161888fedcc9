/** `GET /widget.js`, the demo page `GET /` and its script `GET /demo.js`; no token needed. */
import { Controller, Get, Inject, NotFoundException, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../auth/auth.decorators';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { isDemoEnabled } from './demo-mode';
import { DEMO_PAGE_CSP, demoPageHtml } from './demo-page';
import { WidgetAssets } from './widget-assets';
import type { WidgetBundleName } from './widget-build';

@Public()
@ApiExcludeController()
@Controller()
export class WidgetController {
  private readonly page: string;

  constructor(
    private readonly assets: WidgetAssets,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.page = demoPageHtml({ demo: isDemoEnabled(config) });
  }

  @Get('widget.js')
  widget(@Res() response: Response): void {
    this.sendBundle('widget', response);
  }

  @Get('demo.js')
  demoScript(@Res() response: Response): void {
    this.sendBundle('demo', response);
  }

  @Get()
  demoPage(@Res() response: Response): void {
    response
      .type('html')
      .set('Content-Security-Policy', DEMO_PAGE_CSP)
      .set('Cache-Control', 'no-cache')
      .send(this.page);
  }

  private sendBundle(name: WidgetBundleName, response: Response): void {
    const asset = this.assets.get(name);
    if (!asset) throw new NotFoundException(`${name}.js is not built`);
    // Short max-age plus a validator: pages pick up a new widget within minutes, cheaply.
    response
      .type('text/javascript; charset=utf-8')
      .set('Cache-Control', 'public, max-age=300')
      .set('ETag', asset.etag)
      .set('X-Content-Type-Options', 'nosniff')
      .send(asset.body);
  }
}
