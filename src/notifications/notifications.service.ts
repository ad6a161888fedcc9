import { BadRequestException, Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import type { PublishNotificationDto } from './dto/publish-notification.dto';
import type { PublishTarget } from './notifications.jobs';
import { NotificationsQueue } from './notifications.queue';
import { PublishBatcher } from './publish-batcher';

export interface PublishAccepted {
  jobId: string;
  status: 'queued';
}

@Injectable()
export class NotificationsService {
  constructor(private readonly batcher: PublishBatcher) {}

  async publish(principal: Principal, dto: PublishNotificationDto): Promise<PublishAccepted> {
    const jobId = NotificationsQueue.jobIdFor(principal.userId, dto.idempotencyKey);
    await this.batcher.add({
      publicationId: jobId,
      publisherId: principal.userId,
      target: targetOf(dto),
      type: dto.type,
      title: dto.title,
      body: dto.body ?? '',
      data: dto.data ?? {},
      acceptedAt: Date.now(),
    });
    return { jobId, status: 'queued' };
  }
}

function targetOf(dto: PublishNotificationDto): PublishTarget {
  if (dto.userIds && dto.topic === undefined) return { userIds: dto.userIds };
  if (dto.topic !== undefined && !dto.userIds) return { topic: dto.topic };
  throw new BadRequestException(['exactly one of userIds or topic is required']);
}
