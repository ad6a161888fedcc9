import { BadRequestException, ServiceUnavailableException } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import type { PublishNotificationDto } from './dto/publish-notification.dto';
import type { BatchedPublish } from './notifications.jobs';
import { NotificationsService } from './notifications.service';
import type { PublishBacklog } from './publish-backlog';
import type { PublishBatcher } from './publish-batcher';
import { RetryLaterException, type ShedReason } from './retry-later.exception';
import type { TopicsService } from './topics.service';

const service: Principal = {
  userId: 'billing',
  scopes: new Set(['notifications:write']),
  expiresAt: 2 ** 31,
};

const dto = (fields: Partial<PublishNotificationDto>): PublishNotificationDto => ({
  type: 'invoice.paid',
  title: 'Paid',
  ...fields,
});

function setUp(topicSizes: Record<string, number> = {}, exact = true) {
  const added: { item: BatchedPublish; size: number }[] = [];
  /** How many publishes each addAll carried: a request's publishes go as one batch. */
  const requests: number[] = [];
  const batcher = {
    refuse: null as Error | null,
    addAll: (items: readonly BatchedPublish[], sizes: readonly number[]) => {
      if (batcher.refuse) return Promise.reject(batcher.refuse);
      items.forEach((item, k) => added.push({ item, size: sizes[k] }));
      requests.push(items.length);
      return Promise.resolve();
    },
  };
  const shed: ShedReason[] = [];
  const backlog = { recordShed: (reason: ShedReason) => shed.push(reason) };
  const topics = {
    sizesOf: () => Promise.resolve({ sizes: new Map(Object.entries(topicSizes)), exact }),
  };
  const notifications = new NotificationsService(
    batcher as unknown as PublishBatcher,
    backlog as unknown as PublishBacklog,
    topics as unknown as TopicsService,
  );
  return { added, requests, batcher, shed, notifications };
}

describe('NotificationsService', () => {
  it('hands each publish to the batcher with its recipient count, and answers its jobId', async () => {
    const { added, requests, notifications } = setUp({ ops: 42 });
    const answers = await notifications.publishMany(service, [
      dto({ userIds: ['ann', 'bo'], critical: true }),
      dto({ topic: 'ops', body: 'b', data: { n: 1 } }),
    ]);
    expect(answers.map((a) => a.status)).toEqual(['queued', 'queued']);
    expect(requests).toEqual([2]);
    expect(added.map((a) => [a.item.publicationId, a.size])).toEqual([
      [answers[0].jobId, 2],
      [answers[1].jobId, 42],
    ]);
    expect(added[0].item).toMatchObject({
      publisherId: 'billing',
      target: { userIds: ['ann', 'bo'] },
      body: '',
      data: {},
      critical: true,
    });
    expect(added[1].item).toMatchObject({ target: { topic: 'ops' }, body: 'b', data: { n: 1 } });
    expect(added[1].item).not.toHaveProperty('critical');
  });

  it('gives the same idempotency key of the same publisher the same jobId, and only that', async () => {
    const { notifications } = setUp();
    const keyed = dto({ userIds: ['ann'], idempotencyKey: 'inv-7' });
    const first = await notifications.publish(service, keyed);
    expect((await notifications.publish(service, keyed)).jobId).toBe(first.jobId);
    const other = { ...service, userId: 'shipping' };
    expect((await notifications.publish(other, keyed)).jobId).not.toBe(first.jobId);
    const unkeyed = dto({ userIds: ['ann'] });
    const [a, b] = await notifications.publishMany(service, [unkeyed, unkeyed]);
    expect(a.jobId).not.toBe(b.jobId);
  });

  it('refuses more than 10,000 recipients in all, a topic counting as its subscribers', async () => {
    const { added, notifications } = setUp({ crowd: 9000 });
    const listed = dto({ userIds: Array.from({ length: 1001 }, (_, i) => `u${i}`) });
    const refused = notifications.publishMany(service, [listed, dto({ topic: 'crowd' })]);
    await expect(refused).rejects.toThrow(BadRequestException);
    await expect(refused).rejects.toMatchObject({
      response: { message: [expect.stringContaining('at most 10000 userIds in all')] },
    });
    expect(added).toEqual([]);
  });

  it('answers 503 when topic sizes are unknown and might exceed the budget', async () => {
    const { added, shed, notifications } = setUp({ crowd: 20_000 }, false);
    await expect(notifications.publish(service, dto({ topic: 'crowd' }))).rejects.toMatchObject({
      reason: 'unavailable',
    });
    expect(shed).toEqual(['unavailable']);
    expect(added).toEqual([]);
  });

  it('names the publish of a batch that has both or neither target', async () => {
    const { added, notifications } = setUp();
    const both = notifications.publishMany(service, [
      dto({ userIds: ['ann'] }),
      dto({ userIds: ['ann'], topic: 'ops' }),
    ]);
    await expect(both).rejects.toMatchObject({
      response: { message: ['notifications.1.exactly one of userIds or topic is required'] },
    });
    await expect(notifications.publish(service, dto({}))).rejects.toMatchObject({
      response: { message: ['exactly one of userIds or topic is required'] },
    });
    expect(added).toEqual([]);
  });

  it('takes a null target field as absent, whichever of the two it is', async () => {
    const { added, notifications } = setUp({ ops: 3 });
    const nulls = { userIds: null, topic: null } as unknown as PublishNotificationDto;
    await notifications.publish(service, { ...dto({ userIds: ['ann'] }), topic: nulls.topic });
    await notifications.publish(service, { ...dto({ topic: 'ops' }), userIds: nulls.userIds });
    expect(added.map((a) => a.item.target)).toEqual([{ userIds: ['ann'] }, { topic: 'ops' }]);
    await expect(notifications.publish(service, { ...dto({}), ...nulls })).rejects.toBeInstanceOf(
      BadRequestException,
    );
  });

  it.each<[string, Error, ShedReason]>([
    ['the batcher shed it', new RetryLaterException('late', 'timeout'), 'timeout'],
    ['the queue is down', new ServiceUnavailableException('down'), 'unavailable'],
    [
      'Redis refused the connection',
      Object.assign(new Error('x'), { code: 'ECONNREFUSED' }),
      'unavailable',
    ],
  ])('answers 503 + Retry-After, counted once, when %s', async (_what, error, reason) => {
    const { batcher, shed, notifications } = setUp();
    batcher.refuse = error;
    const refused = notifications.publish(service, dto({ userIds: ['ann'] }));
    await expect(refused).rejects.toBeInstanceOf(RetryLaterException);
    await expect(refused).rejects.toMatchObject({ reason });
    expect(shed).toEqual([reason]);
  });

  it('passes any other failure on as it is, not counted as shed', async () => {
    const { batcher, shed, notifications } = setUp();
    batcher.refuse = new TypeError('a bug');
    await expect(notifications.publish(service, dto({ userIds: ['ann'] }))).rejects.toThrow(
      'a bug',
    );
    expect(shed).toEqual([]);
  });
});
