import { Body, Controller, Delete, Get, HttpCode, Param, Put } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentPrincipal, RequireScope } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { AddedDoc, TopicsDoc } from '../docs/api-models';
import { TopicPipe, UserIdPipe } from './dto/params';
import { TopicSubscribersDto } from './dto/topic-subscribers.dto';
import { TopicsService } from './topics.service';

@ApiTags('topics')
@ApiBearerAuth('bearer')
@Controller('v1')
export class TopicsController {
  constructor(private readonly topics: TopicsService) {}

  @Put('topics/:topic/subscribers')
  @RequireScope('notifications:write')
  @ApiOperation({ summary: 'Subscribe users to a topic' })
  @ApiOkResponse({ type: AddedDoc })
  async addSubscribers(
    @Param('topic', TopicPipe) topic: string,
    @Body() dto: TopicSubscribersDto,
  ): Promise<{ added: number }> {
    return { added: await this.topics.subscribe(topic, dto.userIds) };
  }

  @Delete('topics/:topic/subscribers/:userId')
  @HttpCode(204)
  @RequireScope('notifications:write')
  @ApiOperation({ summary: 'Unsubscribe a user from a topic' })
  @ApiNoContentResponse({ description: 'Unsubscribed (also when not subscribed)' })
  async removeSubscriber(
    @Param('topic', TopicPipe) topic: string,
    @Param('userId', UserIdPipe) userId: string,
  ): Promise<void> {
    await this.topics.unsubscribe(topic, userId);
  }

  @Get('me/topics')
  @ApiOperation({ summary: 'Topics the caller is subscribed to' })
  @ApiOkResponse({ type: TopicsDoc })
  async myTopics(@CurrentPrincipal() principal: Principal): Promise<{ topics: string[] }> {
    return { topics: await this.topics.topicsOf(principal.userId) };
  }

  @Put('me/topics/:topic')
  @HttpCode(204)
  @ApiOperation({ summary: 'Subscribe oneself to a topic' })
  @ApiNoContentResponse({ description: 'Subscribed' })
  async subscribeMe(
    @CurrentPrincipal() principal: Principal,
    @Param('topic', TopicPipe) topic: string,
  ): Promise<void> {
    await this.topics.subscribe(topic, [principal.userId]);
  }

  @Delete('me/topics/:topic')
  @HttpCode(204)
  @ApiOperation({ summary: 'Unsubscribe oneself from a topic' })
  @ApiNoContentResponse({ description: 'Unsubscribed' })
  async unsubscribeMe(
    @CurrentPrincipal() principal: Principal,
    @Param('topic', TopicPipe) topic: string,
  ): Promise<void> {
    await this.topics.unsubscribe(topic, principal.userId);
  }
}
