import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Put,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentPrincipal, RequireScope } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { AddedDoc, ErrorBodyDoc, TopicDoc, TopicsDoc } from '../docs/api-models';
import { TopicPipe, UserIdPipe } from './dto/params';
import { TopicSettingsDto } from './dto/topic-settings.dto';
import { TopicSubscribersDto } from './dto/topic-subscribers.dto';
import { TopicsService, type TopicView } from './topics.service';

@ApiTags('topics')
@ApiBearerAuth('bearer')
@Controller('v1')
export class TopicsController {
  constructor(private readonly topics: TopicsService) {}

  @Put('topics/:topic')
  @RequireScope('notifications:write')
  @ApiOperation({ summary: 'Create a topic or open/close it for subscribing oneself' })
  @ApiOkResponse({ type: TopicDoc })
  setTopic(
    @Param('topic', TopicPipe) topic: string,
    @Body() dto: TopicSettingsDto,
  ): Promise<TopicView> {
    return this.topics.setTopic(topic, dto.selfSubscribe);
  }

  @Get('topics/:topic')
  @RequireScope('notifications:write')
  @ApiOperation({ summary: 'A topic: whether it is open and how many subscribers it has' })
  @ApiOkResponse({ type: TopicDoc })
  @ApiNotFoundResponse({ type: ErrorBodyDoc, description: 'No such topic' })
  async getTopic(@Param('topic', TopicPipe) topic: string): Promise<TopicView> {
    const found = await this.topics.find(topic);
    if (!found) throw new NotFoundException(`topic '${topic}' does not exist`);
    return found;
  }

  @Put('topics/:topic/subscribers')
  @RequireScope('notifications:write')
  @ApiOperation({ summary: 'Subscribe users to a topic' })
  @ApiOkResponse({ type: AddedDoc })
  @ApiConflictResponse({
    type: ErrorBodyDoc,
    description: 'Past TOPIC_MAX_SUBSCRIBERS or, for a user, USER_MAX_TOPICS; nothing added',
  })
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
  @ApiOperation({ summary: 'Subscribe oneself to a topic a service opened (selfSubscribe)' })
  @ApiNoContentResponse({ description: 'Subscribed' })
  @ApiForbiddenResponse({ type: ErrorBodyDoc, description: 'The topic is not open (or absent)' })
  @ApiConflictResponse({ type: ErrorBodyDoc, description: 'Past a cap; not subscribed' })
  async subscribeMe(
    @CurrentPrincipal() principal: Principal,
    @Param('topic', TopicPipe) topic: string,
  ): Promise<void> {
    await this.topics.subscribeSelf(topic, principal.userId);
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
