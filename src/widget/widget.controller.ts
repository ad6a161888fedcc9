/** `GET /widget.js`, the demo page `GET /` and its script `GET /demo.js`; no token needed. */
import { Controller, Get, Header, Headers, Inject, NotFoundException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../auth/auth.decorators';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { isDemoEnabled } from './demo-mode';
import { DEMO_PAGE_CSP, demoPageHtml } from './demo-page-html';
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
    this.page = demoPageHtml({ demo: isDemoEnabled(config), push: config.webPush.vapid !== null });
  }

  @Get('widget.js')
  widget(@Headers('if-none-match') ifNoneMatch?: string): Response {
    return this.bundle('widget', ifNoneMatch);
  }

  @Get('demo.js')
  demoScript(@Headers('if-none-match') ifNoneMatch?: string): Response {
    return this.bundle('demo', ifNoneMatch);
  }

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', DEMO_PAGE_CSP)
  @Header('Cache-Control', 'no-cache')
  demoPage(): string {
    return this.page;
  }

  /** The bundle, or 304 when the caller holds it already (a web Response: status and headers). */
  private bundle(name: WidgetBundleName, ifNoneMatch: string | undefined): Response {
    const asset = this.assets.get(name);
    if (!asset) throw new NotFoundException(`${name}.js is not built`);
    // Short max-age plus a validator: pages pick up a new widget within minutes, cheaply.
    const headers = {
      'Cache-Control': 'public, max-age=300',
      ETag: asset.etag,
      'X-Content-Type-Options': 'nosniff',
    };
    if (matches(ifNoneMatch, asset.etag)) return new Response(null, { status: 304, headers });
    return new Response(asset.body, {
      status: 200,
      headers: { ...headers, 'Content-Type': 'text/javascript; charset=utf-8' },
    });
  }
}

/** If-None-Match (RFC 9110 13.1.2): `*` or a list of tags, compared weakly. */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  const bare = etag.replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === bare);
}
