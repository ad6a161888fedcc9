/**
 * Group commit, at the edge: publishes accepted together travel as one Bull job and arrive in
 * order; POST /v1/notifications/batch checks every publish before it queues any, and each
 * publish in it keeps its own id and idempotency.
 */
import type { Client } from 'pg';
import { HeraldError, type HeraldClient, type PublishRequest } from '../src/client';
import { NotificationsService } from '../src/notifications/notifications.service';
import { completedJobsHolding, jobsAdded, many, publisher } from './publish-batching.fixtures';
import { eventually } from './support/test-app';
import { useTestApp } from './support/use-test-app';

const herald = useTestApp();
let db: Client;

beforeAll(async () => {
  db = await herald.db();
});

const countFor = async (user: string) =>
  (
    await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM notifications WHERE user_id = $1`,
      [user],
    )
  ).rows[0].n;

describe('PublishBatcher', () => {
  it('queues publishes accepted together as one job and delivers them in order', async () => {
    const socket = await herald.connect('dana');
    const before = await jobsAdded(herald);
    // Accepted in one turn of the event loop (as requests parsed together would be).
    const service = herald.get(NotificationsService);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        service.publish(publisher, { userIds: ['dana'], type: 'batch.test', title: `n${i}` }),
      ),
    );
    expect(new Set(answers.map((a) => a.jobId)).size).toBe(20);
    expect((await jobsAdded(herald)) - before).toBe(1);

    const got = [];
    for (let i = 0; i < 20; i++) got.push(await socket.next('notification', 5000));
    expect(got.map((n) => n.title)).toEqual(answers.map((_, i) => `n${i}`));
    expect(got.map((n) => n.seq)).toEqual(got.map((_, i) => i + 1));
    const published = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM publications WHERE job_id = ANY($1)`,
      [answers.map((a) => a.jobId)],
    );
    expect(published.rows[0].n).toBe(20);
  });
});

describe('POST /v1/notifications/batch', () => {
  /** The HeraldError a batch is refused with (bodies the types would not allow included). */
  const refusal = async (notifications: unknown[], client: HeraldClient = herald.service) => {
    const error: unknown = await client.publishBatch(notifications as PublishRequest[]).then(
      () => 'accepted',
      (refused: unknown) => refused,
    );
    expect(error).toBeInstanceOf(HeraldError);
    return error as HeraldError;
  };

  it('queues every publish in order, one jobId each, idempotent per publish', async () => {
    await herald.topic('news', ['gil']);
    const socket = await herald.connect('gil');
    const keyed = { userIds: ['gil'], type: 'b', title: 'third', idempotencyKey: 'batch-key-1' };
    const items = await herald.service.publishBatch([
      { userIds: ['gil', 'hal'], type: 'b', title: 'first' },
      { topic: 'news', type: 'b', title: 'second' },
      keyed,
    ]);
    expect(items).toHaveLength(3);
    expect(items.every((item) => item.status === 'queued')).toBe(true);
    expect(new Set(items.map((item) => item.jobId)).size).toBe(3);

    const titles = [];
    for (let i = 0; i < 3; i++) titles.push((await socket.next('notification', 5000)).title);
    expect(titles).toEqual(['first', 'second', 'third']);
    expect(await countFor('hal')).toBe(1);

    // The keyed publish again, alone: the same jobId, nothing new.
    const [again] = await herald.service.publishBatch([keyed]);
    expect(again.jobId).toBe(items[2].jobId);
    // Once the repeat's job is done (a second run of the publication), still three rows.
    await eventually(
      async () => (await completedJobsHolding(herald, items[2].jobId)).length === 2,
      5000,
      "the repeat's job completed",
    );
    expect(await countFor('gil')).toBe(3);
  });

  it('queues nothing when one publish is bad, and says which', async () => {
    const before = await jobsAdded(herald);
    const missingTitle = await refusal([
      { userIds: ['ida'], type: 'b', title: 'fine' },
      { userIds: ['ida'], type: 'b' },
    ]);
    expect(missingTitle.status).toBe(400);
    expect(missingTitle.messages.join('\n')).toContain('notifications.1.title');
    const bothTargets = await refusal([
      { userIds: ['ida'], type: 'b', title: 'fine' },
      { userIds: ['ida'], topic: 'news', type: 'b', title: 'both' },
    ]);
    expect(bothTargets.status).toBe(400);
    expect(bothTargets.messages.join('\n')).toContain('notifications.1.exactly one of');
    // A publish is answered only once its job is in Redis: none was added for these.
    expect(await jobsAdded(herald)).toBe(before);
    // And the next good publish to ida is her first row.
    const [{ jobId }] = await herald.service.publishBatch([
      { userIds: ['ida'], type: 'b', title: 'marker' },
    ]);
    await eventually(async () => (await completedJobsHolding(herald, jobId)).length === 1);
    expect(await countFor('ida')).toBe(1);
  });

  it('limits publishes per request, recipients per request, and needs the scope', async () => {
    const one = { userIds: ['jo'], type: 'b', title: 't' };
    expect((await refusal([])).status).toBe(400);
    expect((await refusal(Array.from({ length: 101 }, () => one))).status).toBe(400);
    const big = { userIds: many('cap', 6000), type: 'b', title: 't' };
    const tooMany = await refusal([big, big]);
    expect(tooMany.status).toBe(400);
    expect(tooMany.messages.join('\n')).toContain('at most 10000 userIds in all');
    expect((await refusal([one], herald.as('jo'))).status).toBe(403);
  });
});
