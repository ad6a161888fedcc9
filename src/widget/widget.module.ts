import { DynamicModule, Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import type { AppConfig } from '../config/app-config';
import { NotificationsModule } from '../notifications/notifications.module';
import { DemoController } from './demo.controller';
import { isDemoEnabled } from './demo-mode';
import { DemoTokens } from './demo-tokens';
import { WidgetAssets } from './widget-assets';
import { WidgetController } from './widget.controller';

/** The browser widget and the demo page; the demo's token and publish routes only in demo mode. */
@Module({})
export class WidgetModule {
  static forRoot(config: AppConfig): DynamicModule {
    const base = { module: WidgetModule, providers: [WidgetAssets] };
    if (!isDemoEnabled(config)) return { ...base, controllers: [WidgetController] };
    return {
      ...base,
      imports: [AuthModule, NotificationsModule],
      controllers: [WidgetController, DemoController],
      // DemoController publishes through NotificationsModule's NotificationsService, the same
      // path (limits, batching, idempotency) as POST /v1/notifications.
      providers: [...base.providers, DemoTokens],
    };
  }
}
