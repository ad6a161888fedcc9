/**
 * Group commit when something fails: a push that fails for one part of a large publication
 * still lets every part be stored and pushed, a publish Postgres refuses fails alone, and jobs
 * queued by a version before batching still run. The bus is the real one, behind a publisher
 * that a test can tell to refuse its next push (provided in place of RealtimePublisher).
 */
import { Injectable } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import type { Client } from 'pg';
import type { AppBuilder } from '../src/app.factory';
import type { StoredPublication } from '../src/notifications/notification.types';
import type { PublishJobData } from '../src/notifications/notifications.jobs';
import { NotificationsProcessor } from '../src/notifications/notifications.processor';
import { RealtimePublisher } from '../src/realtime/realtime.publisher';
import { batched, many, notificationsQueue, rowsOf } from './publish-batching.fixtures';
import { eventually } from './support/test-app';
import { useTestApp } from './support/use-test-app';

/** RealtimePublisher, counting its pushes; refuses the next one when told to. */
@Injectable()
class RefusingPublisher extends RealtimePublisher {
  pushes = 0;
  private refusal: Error | null = null;

  refuseNextPush(error: Error): void {
    this.refusal = error;
  }

  override publishNotifications(publications: readonly StoredPublication[]): Promise<void> {
    this.pushes += 1;
    const refusal = this.refusal;
    this.refusal = null;
    return refusal ? Promise.reject(refusal) : super.publishNotifications(publications);
  }
}

const withRefusingPublisher: AppBuilder = async (module, adapter, options) => {
  const testing = await Test.createTestingModule({ imports: [module] })
    .overrideProvider(RealtimePublisher)
    .useClass(RefusingPublisher)
    .compile();
  return testing.createNestApplication<NestFastifyApplication>(adapter, options);
};

const herald = useTestApp({ appOptions: { build: withRefusingPublisher } });
let db: Client;
let publisher: RefusingPublisher;

beforeAll(async () => {
  db = await herald.db();
  publisher = herald.get(RealtimePublisher) as RefusingPublisher;
});

describe('NotificationsProcessor', () => {
  it('stores and pushes every part, then fails the job, when pushing one part fails', async () => {
    const processor = herald.get(NotificationsProcessor);
    const before = publisher.pushes;
    // The bus refuses the first part's push (as when Redis drops out for a moment).
    publisher.refuseNextPush(new Error('bus down'));
    await expect(
      processor.publishBatch([
        batched('big-push', { target: { userIds: many('push', 3500) }, title: 'in parts' }),
      ]),
    ).rejects.toThrow('bus down');
    expect(publisher.pushes - before).toBe(4); // every part was still stored and pushed
    expect(await rowsOf(db, 'big-push')).toEqual({ n: 3500, users: 3500 });
  });

  it('stores the rest of a batch when Postgres refuses one publish, and fails the job', async () => {
    const processor = herald.get(NotificationsProcessor);
    const item = (publicationId: string, title: string) =>
      batched(publicationId, { target: { userIds: ['eve'] }, title });
    // A title over the column's 200 characters: only a publish that skipped the API's checks
    // (an old job, another producer) can hold one, but it must not take the batch down.
    await expect(
      processor.publishBatch([
        item('p-ok-1', 'fine'),
        item('p-bad', 'x'.repeat(300)),
        item('p-ok-2', 'also fine'),
      ]),
    ).rejects.toMatchObject({ code: '22001' });
    const rows = await db.query<{ job_id: string; seq: number }>(
      `SELECT job_id, seq FROM notifications WHERE user_id = 'eve' ORDER BY seq`,
    );
    expect(rows.rows).toEqual([
      { job_id: 'p-ok-1', seq: 1 },
      { job_id: 'p-ok-2', seq: 2 },
    ]);
  });

  it('still runs a `publish` job queued by a version before batching', async () => {
    const legacy: PublishJobData = {
      publisherId: 'p',
      target: { userIds: ['fay'] },
      type: 'batch.test',
      title: 'from an old producer',
      body: '',
      data: {},
      acceptedAt: Date.now(),
    };
    await notificationsQueue(herald).add('publish', legacy, { jobId: 'pub-legacy-1' });
    const row = await eventually(
      async () =>
        (
          await db.query<{ job_id: string; seq: number }>(
            `SELECT job_id, seq FROM notifications WHERE user_id = 'fay'`,
          )
        ).rows[0],
      5000,
      'the legacy job stored',
    );
    expect(row).toEqual({ job_id: 'pub-legacy-1', seq: 1 });
  });
});
