import { BadRequestException, HttpException, Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import type { PublishNotificationDto } from './dto/publish-notification.dto';
import type { PublishTarget } from './notifications.jobs';
import { NotificationsQueue } from './notifications.queue';
import { PublishBacklog } from './publish-backlog';
import { PublishBatcher } from './publish-batcher';
import { MAX_RECIPIENTS } from './dto/limits';
import { RetryLaterException } from './retry-later.exception';
import { isUnavailableError } from '../http/unavailable';
import { TopicsService } from './topics.service';

export interface PublishAccepted {
  jobId: string;
  status: 'queued';
}

@Injectable()
export class NotificationsService {
  constructor(
    private readonly batcher: PublishBatcher,
    private readonly backlog: PublishBacklog,
    private readonly topics: TopicsService,
  ) {}

  async publish(principal: Principal, dto: PublishNotificationDto): Promise<PublishAccepted> {
    const [accepted] = await this.publishMany(principal, [dto]);
    return accepted;
  }

  /**
   * Several publishes, accepted together: all are checked before any is queued, and they travel
   * in the same batch job. Answers in order once all are queued, or 503 + Retry-After (the queue
   * is down or did not take them in time; a full backlog is refused before, by
   * PublishAdmissionGuard).
   */
  async publishMany(
    principal: Principal,
    dtos: PublishNotificationDto[],
  ): Promise<PublishAccepted[]> {
    // A topic counts as its current subscribers: the budget bounds the rows one request makes.
    const topics = dtos.flatMap((dto) => (dto.topic ? [dto.topic] : []));
    const { sizes, exact } = await this.topics.sizesOf(topics);
    const sizeOf = (dto: PublishNotificationDto) =>
      dto.userIds?.length ?? (dto.topic ? (sizes.get(dto.topic) ?? 0) : 0);
    const named = dtos.reduce((n, dto) => n + sizeOf(dto), 0);
    if (named > MAX_RECIPIENTS && !exact) {
      throw this.shed(
        new RetryLaterException('topic sizes are unavailable, retry later', 'unavailable'),
      );
    }
    if (named > MAX_RECIPIENTS) {
      throw new BadRequestException([
        `notifications must name at most ${MAX_RECIPIENTS} userIds in all ` +
          `(a topic counts as its subscribers), not ${named}`,
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
    try {
      await this.batcher.addAll(items, dtos.map(sizeOf));
    } catch (error) {
      throw this.shed(error);
    }
    return items.map((item) => ({ jobId: item.publicationId, status: 'queued' as const }));
  }

  /** Every 503 of a publish carries Retry-After and is counted once per request. */
  private shed(error: unknown): unknown {
    let retry: RetryLaterException;
    if (error instanceof RetryLaterException) retry = error;
    else if (error instanceof HttpException && error.getStatus() === 503)
      retry = new RetryLaterException(error.message, 'unavailable');
    else if (isUnavailableError(error))
      retry = new RetryLaterException('the queue is unavailable, retry later', 'unavailable');
    else return error;
    this.backlog.recordShed(retry.reason);
    return retry;
  }
}

/** The one target of a publish; a null field (which validation lets through) counts as absent. */
function targetOf(dto: PublishNotificationDto, path: string): PublishTarget {
  const { userIds, topic } = dto;
  if (userIds != null && topic == null) return { userIds };
  if (topic != null && userIds == null) return { topic };
  throw new BadRequestException([`${path}exactly one of userIds or topic is required`]);
}
