import { BadRequestException, Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import type { PublishNotificationDto } from './dto/publish-notification.dto';
import type { PublishTarget } from './notifications.jobs';
import { NotificationsQueue } from './notifications.queue';
import { PublishBatcher } from './publish-batcher';
import { MAX_RECIPIENTS } from './dto/limits';

export interface PublishAccepted {
  jobId: string;
  status: 'queued';
}

@Injectable()
export class NotificationsService {
  constructor(private readonly batcher: PublishBatcher) {}

  async publish(principal: Principal, dto: PublishNotificationDto): Promise<PublishAccepted> {
    const [accepted] = await this.publishMany(principal, [dto]);
    return accepted;
  }

  /**
   * Several publishes, accepted together: all are checked before any is queued, and they travel
   * in the same batch job. Answers in order once all are queued.
   */
  async publishMany(
    principal: Principal,
    dtos: PublishNotificationDto[],
  ): Promise<PublishAccepted[]> {
    const named = dtos.reduce((n, dto) => n + (dto.userIds?.length ?? 0), 0);
    if (named > MAX_RECIPIENTS) {
      throw new BadRequestException([
        `notifications must name at most ${MAX_RECIPIENTS} userIds in all, not ${named}`,
      ]);
    }
    const items = dtos.map((dto, index) => {
      const target = targetOf(dto, dtos.length > 1 ? `notifications.${index}.` : '');
      return {
        publicationId: NotificationsQueue.jobIdFor(principal.userId, dto.idempotencyKey),
        publisherId: principal.userId,
        target,
        type: dto.type,
        title: dto.title,
        body: dto.body ?? '',
        data: dto.data ?? {},
        ...(dto.critical ? { critical: true } : {}),
        acceptedAt: Date.now(),
      };
    });
    await Promise.all(items.map((item) => this.batcher.add(item)));
    return items.map((item) => ({ jobId: item.publicationId, status: 'queued' as const }));
  }
}

function targetOf(dto: PublishNotificationDto, path: string): PublishTarget {
  if (dto.userIds && dto.topic === undefined) return { userIds: dto.userIds };
  if (dto.topic !== undefined && !dto.userIds) return { topic: dto.topic };
  throw new BadRequestException([`${path}exactly one of userIds or topic is required`]);
}
