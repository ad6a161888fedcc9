import { Body, Controller, Delete, Get, HttpCode, Param, Put } from '@nestjs/common';
import { CurrentPrincipal, RequireScope } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { TopicPipe, UserIdPipe } from './dto/params';
import { TopicSubscribersDto } from './dto/topic-subscribers.dto';
import { TopicsService } from './topics.service';

@Controller('v1')
export class TopicsController {
  constructor(private readonly topics: TopicsService) {}

  @Put('topics/:topic/subscribers')
  @RequireScope('notifications:write')
  async addSubscribers(
    @Param('topic', TopicPipe) topic: string,
    @Body() dto: TopicSubscribersDto,
  ): Promise<{ added: number }> {
    return { added: await this.topics.subscribe(topic, dto.userIds) };
  }

  @Delete('topics/:topic/subscribers/:userId')
  @HttpCode(204)
  @RequireScope('notifications:write')
  async removeSubscriber(
    @Param('topic', TopicPipe) topic: string,
    @Param('userId', UserIdPipe) userId: string,
  ): Promise<void> {
    await this.topics.unsubscribe(topic, userId);
  }

  @Get('me/topics')
  async myTopics(@CurrentPrincipal() principal: Principal): Promise<{ topics: string[] }> {
    return { topics: await this.topics.topicsOf(principal.userId) };
  }

  @Put('me/topics/:topic')
  @HttpCode(204)
  async subscribeMe(
    @CurrentPrincipal() principal: Principal,
    @Param('topic', TopicPipe) topic: string,
  ): Promise<void> {
    await this.topics.subscribe(topic, [principal.userId]);
  }

  @Delete('me/topics/:topic')
  @HttpCode(204)
  async unsubscribeMe(
    @CurrentPrincipal() principal: Principal,
    @Param('topic', TopicPipe) topic: string,
  ): Promise<void> {
    await this.topics.unsubscribe(topic, principal.userId);
  }
}
