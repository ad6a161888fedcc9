import { Body, Controller, Delete, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBadRequestResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentPrincipal } from '../../auth/auth.decorators';
import type { Principal } from '../../auth/principal';
import { ErrorBodyDoc, NotificationDoc, UpdatedDoc } from '../../docs/api-models';
import { DeleteAllDto } from '../dto/delete-all.dto';
import { MarkReadDto as IdsDto } from '../dto/mark-read.dto';
import { SnoozeDto } from '../dto/snooze.dto';
import type { NotificationView } from '../notification.types';
import { InboxLifecycleService } from './inbox-lifecycle.service';

const NOT_FOUND = { type: ErrorBodyDoc, description: 'Not a notification of the caller' };
const PUSHED = 'Pushed to every socket of the user';

/** API.md "Inbox lifecycle": archive, unarchive, delete, snooze; each for the caller only. */
@ApiTags('notifications')
@ApiBearerAuth('bearer')
@Controller('v1/notifications')
export class InboxLifecycleController {
  constructor(private readonly lifecycle: InboxLifecycleService) {}

  @Post('archive')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Archive own notifications (also marks them read)',
    description: `${PUSHED} as \`archived\`, then \`unread\`.`,
  })
  @ApiOkResponse({ type: UpdatedDoc })
  async archiveMany(
    @CurrentPrincipal() p: Principal,
    @Body() dto: IdsDto,
  ): Promise<{ updated: number }> {
    return { updated: await this.lifecycle.archiveMany(p.userId, dto.ids) };
  }

  @Post('archive-all')
  @HttpCode(200)
  @ApiOperation({ summary: 'Archive every own notification that is not archived' })
  @ApiOkResponse({ type: UpdatedDoc })
  async archiveAll(@CurrentPrincipal() p: Principal): Promise<{ updated: number }> {
    return { updated: await this.lifecycle.archiveAll(p.userId) };
  }

  @Post('unarchive')
  @HttpCode(200)
  @ApiOperation({ summary: 'Move own archived notifications back to the inbox (an extension)' })
  @ApiOkResponse({ type: UpdatedDoc })
  async unarchiveMany(
    @CurrentPrincipal() p: Principal,
    @Body() dto: IdsDto,
  ): Promise<{ updated: number }> {
    return { updated: await this.lifecycle.unarchiveMany(p.userId, dto.ids) };
  }

  @Post('unarchive-all')
  @HttpCode(200)
  @ApiOperation({ summary: 'Move every own archived notification back (an extension)' })
  @ApiOkResponse({ type: UpdatedDoc })
  async unarchiveAll(@CurrentPrincipal() p: Principal): Promise<{ updated: number }> {
    return { updated: await this.lifecycle.unarchiveAll(p.userId) };
  }

  @Post('delete')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Delete own notifications for good (an extension)',
    description: `${PUSHED} as \`deleted\`.`,
  })
  @ApiOkResponse({ type: UpdatedDoc })
  async deleteMany(
    @CurrentPrincipal() p: Principal,
    @Body() dto: IdsDto,
  ): Promise<{ updated: number }> {
    return { updated: await this.lifecycle.deleteMany(p.userId, dto.ids) };
  }

  @Post('delete-all')
  @HttpCode(200)
  @ApiOperation({ summary: 'Delete every own notification of a view (an extension)' })
  @ApiOkResponse({ type: UpdatedDoc })
  async deleteAll(
    @CurrentPrincipal() p: Principal,
    @Body() dto: DeleteAllDto,
  ): Promise<{ updated: number }> {
    return { updated: await this.lifecycle.deleteAll(p.userId, dto.view) };
  }

  @Post(':id/archive')
  @HttpCode(200)
  @ApiOperation({ summary: 'Archive one own notification (also marks it read)' })
  @ApiOkResponse({ type: NotificationDoc, description: 'The notification' })
  @ApiNotFoundResponse(NOT_FOUND)
  archive(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<NotificationView> {
    return this.lifecycle.archiveOne(p.userId, id);
  }

  @Post(':id/unarchive')
  @HttpCode(200)
  @ApiOperation({ summary: 'Move one own notification back to the inbox' })
  @ApiOkResponse({ type: NotificationDoc, description: 'The notification' })
  @ApiNotFoundResponse(NOT_FOUND)
  unarchive(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<NotificationView> {
    return this.lifecycle.unarchiveOne(p.userId, id);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete one own notification for good' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiNotFoundResponse(NOT_FOUND)
  async delete(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<void> {
    await this.lifecycle.deleteOne(p.userId, id);
  }

  @Post(':id/snooze')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Snooze one own notification until a time (or move its snooze)',
    description:
      'Out of the inbox view and the unread count until `until`; then back, unread, and the ' +
      "user's sockets get `unsnoozed`. A delayed job wakes it; it survives restarts.",
  })
  @ApiOkResponse({ type: NotificationDoc, description: 'The notification' })
  @ApiBadRequestResponse({
    type: ErrorBodyDoc,
    description: '`until` not 1 minute – 90 days ahead',
  })
  @ApiNotFoundResponse(NOT_FOUND)
  snooze(
    @CurrentPrincipal() p: Principal,
    @Param('id') id: string,
    @Body() dto: SnoozeDto,
  ): Promise<NotificationView> {
    return this.lifecycle.snooze(p.userId, id, new Date(dto.until));
  }

  @Delete(':id/snooze')
  @HttpCode(200)
  @ApiOperation({ summary: 'End a snooze now (an extension); pushes `unsnoozed`' })
  @ApiOkResponse({ type: NotificationDoc, description: 'The notification' })
  @ApiNotFoundResponse(NOT_FOUND)
  unsnooze(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<NotificationView> {
    return this.lifecycle.unsnooze(p.userId, id);
  }
}
