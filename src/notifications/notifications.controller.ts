import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiBody,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentPrincipal, RequireScope } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import {
  CountDoc,
  ErrorBodyDoc,
  InboxPageDoc,
  NotificationDoc,
  PublishAcceptedDoc,
  PublishBatchAcceptedDoc,
  UpdatedDoc,
} from '../docs/api-models';
import { MAX_PUBLISHES_PER_REQUEST, MAX_RECIPIENTS } from './dto/limits';
import { PublishBatchDto } from './dto/publish-batch.dto';
import { ListNotificationsQuery } from './dto/list-notifications.query';
import { MarkReadDto } from './dto/mark-read.dto';
import { PublishNotificationDto } from './dto/publish-notification.dto';
import { PublishBodyPipe } from './dto/publish-body.pipe';
import { InboxPage, InboxService } from './inbox.service';
import type { NotificationView } from './notification.types';
import { NotificationsService, PublishAccepted } from './notifications.service';
import { PublishAdmissionGuard } from './publish-admission.guard';

/** Both publish routes shed load the same way (PublishBacklog, PublishBatcher). */
const SHED_RESPONSE = ApiServiceUnavailableResponse({
  type: ErrorBodyDoc,
  description:
    'Overloaded (PUBLISH_BACKLOG_MAX publishes waiting to be stored, or not queued within ' +
    'PUBLISH_ACCEPT_TIMEOUT_MS) or the queue is down. Retry after `Retry-After` seconds with ' +
    'the same `idempotencyKey`: a publish refused after its deadline may still be stored.',
  headers: {
    'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' } },
  },
});

@ApiTags('notifications')
@ApiBearerAuth('bearer')
@Controller('v1/notifications')
export class NotificationsController {
  constructor(
    private readonly notifications: NotificationsService,
    private readonly inbox: InboxService,
  ) {}

  @Post()
  @HttpCode(202)
  @RequireScope('notifications:write')
  @UseGuards(PublishAdmissionGuard)
  @ApiOperation({
    summary: 'Publish a notification to users or to a topic',
    description:
      'Exactly one of `userIds` or `topic`. Answers once the work is durably queued; a ' +
      'processor stores one row per recipient and pushes it to their sockets. The same ' +
      '`idempotencyKey` from the same publisher (token `sub`) creates nothing new and answers ' +
      'the same `jobId`, even days later.',
  })
  @ApiAcceptedResponse({ type: PublishAcceptedDoc, description: 'Queued' })
  @SHED_RESPONSE
  @ApiBody({ type: PublishNotificationDto })
  publish(
    @CurrentPrincipal() principal: Principal,
    // Readonly<>: not a class type, so only PublishBodyPipe validates it (see there).
    @Body(new PublishBodyPipe(PublishNotificationDto)) dto: Readonly<PublishNotificationDto>,
  ): Promise<PublishAccepted> {
    return this.notifications.publish(principal, dto);
  }

  @Post('batch')
  @HttpCode(202)
  @RequireScope('notifications:write')
  @UseGuards(PublishAdmissionGuard)
  @ApiOperation({
    summary: 'Publish several notifications in one request',
    description:
      `1–${MAX_PUBLISHES_PER_REQUEST} publishes, each as the body of POST /v1/notifications ` +
      `(naming at most ${MAX_RECIPIENTS} userIds in all). All are checked before any is queued: ` +
      'one bad item answers 400 (naming it) and queues nothing. Answers once all are durably ' +
      'queued, with a `jobId` per publish, in order; idempotency keys work per publish. For ' +
      'services that publish many different notifications at once: one request instead of many.',
  })
  @ApiAcceptedResponse({ type: PublishBatchAcceptedDoc, description: 'Queued' })
  @SHED_RESPONSE
  @ApiBody({ type: PublishBatchDto })
  async publishBatch(
    @CurrentPrincipal() principal: Principal,
    @Body(new PublishBodyPipe(PublishBatchDto)) dto: Readonly<PublishBatchDto>,
  ): Promise<{ items: PublishAccepted[] }> {
    return { items: await this.notifications.publishMany(principal, dto.notifications) };
  }

  @Get()
  @ApiOperation({
    summary: 'Own inbox, newest first (or oldest first with `after`, the resume query)',
  })
  @ApiOkResponse({ type: InboxPageDoc })
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListNotificationsQuery,
  ): Promise<InboxPage> {
    return this.inbox.list(principal.userId, query);
  }

  @Get('unread-count')
  @ApiOperation({ summary: 'Number of own unread notifications' })
  @ApiOkResponse({ type: CountDoc })
  async unreadCount(@CurrentPrincipal() principal: Principal): Promise<{ count: number }> {
    return { count: await this.inbox.unreadCount(principal.userId) };
  }

  @Post('read')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Mark own notifications read; pushes `read` and `unread` to every own socket',
  })
  @ApiOkResponse({ type: UpdatedDoc })
  async markManyRead(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: MarkReadDto,
  ): Promise<{ updated: number }> {
    return { updated: await this.inbox.markManyRead(principal.userId, dto.ids) };
  }

  @Post('read-all')
  @HttpCode(200)
  @ApiOperation({ summary: 'Mark every own notification read' })
  @ApiOkResponse({ type: UpdatedDoc })
  async markAllRead(@CurrentPrincipal() principal: Principal): Promise<{ updated: number }> {
    return { updated: await this.inbox.markAllRead(principal.userId) };
  }

  @Post(':id/read')
  @HttpCode(200)
  @ApiOperation({ summary: 'Mark one own notification read' })
  @ApiOkResponse({ type: NotificationDoc, description: 'The notification' })
  @ApiNotFoundResponse({ type: ErrorBodyDoc, description: 'Not a notification of the caller' })
  markRead(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
  ): Promise<NotificationView> {
    return this.inbox.markRead(principal.userId, id);
  }
}
