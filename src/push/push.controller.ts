import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  UseInterceptors,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentPrincipal, Public } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { CreatedStatusInterceptor } from './created-status.interceptor';
import { CreatePushSubscriptionDto } from './dto/push-subscription.dto';
import { PushSubscriptionIdDoc, PushSubscriptionListDoc, VapidKeyDoc } from './push.docs';
import { PushSubscriptionsService, type PushSubscriptionView } from './push-subscriptions.service';

@ApiTags('push')
@Controller('v1')
export class PushController {
  constructor(private readonly subscriptions: PushSubscriptionsService) {}

  @Get('push/vapid-public-key')
  @Public()
  @ApiOperation({ summary: "The server's VAPID public key (applicationServerKey)" })
  @ApiOkResponse({ type: VapidKeyDoc })
  @ApiNotFoundResponse({ description: 'Web Push is not configured' })
  publicKey(): { publicKey: string } {
    return { publicKey: this.subscriptions.publicKey() };
  }

  @Post('me/push-subscriptions')
  @ApiBearerAuth('bearer')
  @UseInterceptors(CreatedStatusInterceptor)
  @ApiOperation({
    summary: "Save the browser's PushSubscription.toJSON() (idempotent by endpoint)",
  })
  @ApiCreatedResponse({ type: PushSubscriptionIdDoc, description: 'Stored' })
  @ApiOkResponse({ type: PushSubscriptionIdDoc, description: 'This endpoint was stored already' })
  subscribe(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreatePushSubscriptionDto,
  ): Promise<{ id: string; created: boolean }> {
    return this.subscriptions.subscribe(principal.userId, dto);
  }

  @Get('me/push-subscriptions')
  @ApiBearerAuth('bearer')
  @ApiOperation({ summary: "The caller's push subscriptions, newest first" })
  @ApiOkResponse({ type: PushSubscriptionListDoc })
  list(@CurrentPrincipal() principal: Principal): Promise<{ items: PushSubscriptionView[] }> {
    return this.subscriptions.list(principal.userId);
  }

  @Delete('me/push-subscriptions/:id')
  @HttpCode(204)
  @ApiBearerAuth('bearer')
  @ApiOperation({ summary: 'Remove one of the caller’s push subscriptions' })
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiNotFoundResponse({ description: 'Not one of the caller’s subscriptions' })
  remove(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<void> {
    return this.subscriptions.remove(principal.userId, id);
  }
}
