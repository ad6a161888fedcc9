/**
 * The demo page's two calls: a user token for any user name, and "send me a notification".
 * Registered only in demo mode (see WidgetModule), so both are 404 when it is off.
 */
import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CurrentPrincipal, Public } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { NotificationsService, PublishAccepted } from '../notifications/notifications.service';
import { DEMO_PUBLISHER_ID } from './demo-mode';
import { DemoTokens, type DemoToken } from './demo-tokens';
import { DemoPublishDto } from './dto/demo-publish.dto';
import { DemoTokenDto } from './dto/demo-token.dto';

@Controller('demo')
export class DemoController {
  constructor(
    private readonly tokens: DemoTokens,
    private readonly notifications: NotificationsService,
  ) {}

  @Public()
  @Post('token')
  @HttpCode(200)
  token(@Body() dto: DemoTokenDto): DemoToken {
    return this.tokens.mint(dto.userId);
  }

  /** Needs the caller's (demo) user token and notifies only the caller. */
  @Post('publish')
  @HttpCode(202)
  publish(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: DemoPublishDto,
  ): Promise<PublishAccepted> {
    const publisher: Principal = {
      userId: DEMO_PUBLISHER_ID,
      scopes: new Set(['notifications:write']),
      expiresAt: principal.expiresAt,
    };
    return this.notifications.publish(publisher, {
      userIds: [principal.userId],
      type: 'demo.message',
      title: dto.title,
      body: dto.body ?? '',
    });
  }
}
