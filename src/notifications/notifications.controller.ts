import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CurrentPrincipal, RequireScope } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { ListNotificationsQuery } from './dto/list-notifications.query';
import { MarkReadDto } from './dto/mark-read.dto';
import { PublishNotificationDto } from './dto/publish-notification.dto';
import { InboxPage, InboxService } from './inbox.service';
import type { NotificationView } from './notification.types';
import { NotificationsService, PublishAccepted } from './notifications.service';

@Controller('v1/notifications')
export class NotificationsController {
  constructor(
    private readonly notifications: NotificationsService,
    private readonly inbox: InboxService,
  ) {}

  @Post()
  @HttpCode(202)
  @RequireScope('notifications:write')
  publish(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: PublishNotificationDto,
  ): Promise<PublishAccepted> {
    return this.notifications.publish(principal, dto);
  }

  @Get()
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListNotificationsQuery,
  ): Promise<InboxPage> {
    return this.inbox.list(principal.userId, query);
  }

  @Get('unread-count')
  async unreadCount(@CurrentPrincipal() principal: Principal): Promise<{ count: number }> {
    return { count: await this.inbox.unreadCount(principal.userId) };
  }

  @Post('read')
  @HttpCode(200)
  async markManyRead(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: MarkReadDto,
  ): Promise<{ updated: number }> {
    return { updated: await this.inbox.markManyRead(principal.userId, dto.ids) };
  }

  @Post('read-all')
  @HttpCode(200)
  async markAllRead(@CurrentPrincipal() principal: Principal): Promise<{ updated: number }> {
    return { updated: await this.inbox.markAllRead(principal.userId) };
  }

  @Post(':id/read')
  @HttpCode(200)
  markRead(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
  ): Promise<NotificationView> {
    return this.inbox.markRead(principal.userId, id);
  }
}
