import { Logger } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import type { BatchedPublish, PublishBatchJobData } from './notifications.jobs';
import type { NotificationsQueue } from './notifications.queue';
import type { PublishBacklog } from './publish-backlog';
import { PublishBatcher } from './publish-batcher';
import { RetryLaterException } from './retry-later.exception';

const LINGER_MS = 50;
const ACCEPT_TIMEOUT_MS = 500;
const BATCH_MAX = 4;

/** Batch jobs as the batcher adds them; each one's add settles when the test says so. */
class FakeQueue {
  readonly adds: { titles: string[]; resolve: () => void; reject: (error: Error) => void }[] = [];

  add(_name: string, data: PublishBatchJobData, jobId: string): Promise<string> {
    return new Promise((resolve, reject) =>
      this.adds.push({
        titles: data.items.map((item) => item.title),
        resolve: () => resolve(jobId),
        reject,
      }),
    );
  }
}

/** The backlog's view of the batcher: publishes in it, and how each batch left it. */
class FakeBacklog {
  inBatcher = 0;
  readonly exits: { count: number; queued: boolean }[] = [];
  entered(count: number): void {
    this.inBatcher += count;
  }
  left(count: number, queued: boolean): void {
    this.inBatcher -= count;
    this.exits.push({ count, queued });
  }
}

const publish = (title: string, userIds = ['u']): BatchedPublish => ({
  publicationId: `id-${title}`,
  publisherId: 'svc',
  target: { userIds },
  type: 't',
  title,
  body: '',
  data: {},
  acceptedAt: 0,
});

/** A promise's outcome so far, readable without awaiting it. */
function track(promise: Promise<void>) {
  const state: { settled: 'pending' | 'resolved' | 'rejected'; error?: unknown } = {
    settled: 'pending',
  };
  void promise.then(
    () => (state.settled = 'resolved'),
    (error: unknown) => Object.assign(state, { settled: 'rejected', error }),
  );
  return state;
}

/** Runs due timers and immediates, letting promise callbacks run in between. */
const advance = (ms: number) => jest.advanceTimersByTimeAsync(ms);

function setUp() {
  const queue = new FakeQueue();
  const backlog = new FakeBacklog();
  const config = {
    queue: {
      publishBatchMax: BATCH_MAX,
      publishBatchLingerMs: LINGER_MS,
      publishAcceptTimeoutMs: ACCEPT_TIMEOUT_MS,
    },
  } as AppConfig;
  const batcher = new PublishBatcher(
    queue as unknown as NotificationsQueue,
    backlog as unknown as PublishBacklog,
    config,
  );
  return { queue, backlog, batcher };
}

let warn: jest.SpyInstance;
beforeEach(() => {
  jest.useFakeTimers();
  warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
});
afterEach(() => {
  warn.mockRestore();
  jest.useRealTimers();
});

describe('PublishBatcher', () => {
  it('sends a publish on a quiet service at once, then keeps flushes the linger apart', async () => {
    const { queue, batcher } = setUp();
    const first = track(batcher.add(publish('a')));
    expect(queue.adds).toHaveLength(0); // the requests parsed with it may still join
    await advance(0);
    expect(queue.adds.map((add) => add.titles)).toEqual([['a']]);
    queue.adds[0].resolve();
    await advance(0);
    expect(first.settled).toBe('resolved');

    const second = track(batcher.add(publish('b')));
    await advance(LINGER_MS - 1);
    expect(queue.adds).toHaveLength(1);
    await advance(1);
    expect(queue.adds.map((add) => add.titles)).toEqual([['a'], ['b']]);
    expect(second.settled).toBe('pending'); // answered only once its batch is in Redis
    queue.adds[1].resolve();
    await advance(0);
    expect(second.settled).toBe('resolved');
  });

  it('grows the next batch while one is on its way to Redis', async () => {
    const { queue, batcher } = setUp();
    void batcher.add(publish('a'));
    await advance(0);
    const waiting = ['b', 'c', 'd'].map((title) => track(batcher.add(publish(title))));
    await advance(LINGER_MS * 2);
    expect(queue.adds).toHaveLength(1); // one add in flight at a time
    queue.adds[0].resolve();
    await advance(0);
    expect(queue.adds.map((add) => add.titles)).toEqual([['a'], ['b', 'c', 'd']]);
    queue.adds[1].resolve();
    await advance(0);
    expect(waiting.map((w) => w.settled)).toEqual(['resolved', 'resolved', 'resolved']);
  });

  it('sends a batch at once when it is full', () => {
    const { queue, batcher } = setUp();
    for (let i = 0; i < BATCH_MAX; i++) void batcher.add(publish(`n${i}`));
    expect(queue.adds.map((add) => add.titles)).toEqual([['n0', 'n1', 'n2', 'n3']]);
  });

  it('keeps the publishes of one request in one batch, in order, and answers them together', async () => {
    const { queue, batcher } = setUp();
    void batcher.add(publish('a'));
    void batcher.add(publish('b'));
    const request = track(
      batcher.addAll(
        ['c', 'd', 'e'].map((t) => publish(t)),
        [1, 1, 1],
      ),
    );
    // Five would overflow BATCH_MAX: what was open goes first, the request whole after it.
    expect(queue.adds.map((add) => add.titles)).toEqual([['a', 'b']]);
    queue.adds[0].resolve();
    await advance(LINGER_MS);
    expect(queue.adds.map((add) => add.titles)).toEqual([
      ['a', 'b'],
      ['c', 'd', 'e'],
    ]);
    queue.adds[1].reject(new Error('redis away'));
    await advance(0);
    expect(request.settled).toBe('rejected');

    const large = ['f', 'g', 'h', 'i', 'j', 'k'].map((t) => publish(t));
    void batcher.addAll(
      large,
      large.map(() => 1),
    );
    expect(queue.adds[2].titles).toEqual(['f', 'g', 'h', 'i', 'j', 'k']); // over the max: one job
  });

  it('caps a batch at 10,000 recipients, a topic counting as its size', () => {
    const { queue, batcher } = setUp();
    const users = (n: number) => Array.from({ length: n }, (_, i) => `u${i}`);
    void batcher.add(publish('listed', users(6000)));
    void batcher.add({ ...publish('topic'), target: { topic: 'crowd' } }, 4000);
    expect(queue.adds).toHaveLength(0); // 10,000 in all: still one batch
    void batcher.add(publish('one more'));
    expect(queue.adds.map((add) => add.titles)).toEqual([['listed', 'topic']]);
  });

  it('counts each publish in the backlog until its batch is queued or refused', async () => {
    const { queue, backlog, batcher } = setUp();
    void batcher.add(publish('a'));
    void batcher.add(publish('b'));
    expect(backlog.inBatcher).toBe(2);
    await advance(0);
    queue.adds[0].resolve();
    await advance(0);
    expect(backlog.exits).toEqual([{ count: 2, queued: true }]);

    const refused = track(batcher.add(publish('c')));
    await advance(LINGER_MS);
    queue.adds[1].reject(new Error('redis down'));
    await advance(0);
    expect(refused).toMatchObject({ settled: 'rejected', error: new Error('redis down') });
    expect(backlog.exits.at(-1)).toEqual({ count: 1, queued: false });
    expect(backlog.inBatcher).toBe(0);
  });

  it('sheds at the accept deadline: 503 for a batch on its way, and one never sent is dropped', async () => {
    const { queue, backlog, batcher } = setUp();
    const sent = track(batcher.add(publish('sent')));
    await advance(0);
    const unsent = track(batcher.add(publish('unsent'))); // waits: one add is in flight
    await advance(ACCEPT_TIMEOUT_MS);
    await advance(1); // the one on its way gives Redis's answer one more turn (setImmediate)
    for (const shed of [sent, unsent]) {
      expect(shed.settled).toBe('rejected');
      expect(shed.error).toBeInstanceOf(RetryLaterException);
      expect((shed.error as RetryLaterException).reason).toBe('timeout');
    }
    expect(backlog.exits).toEqual([{ count: 1, queued: false }]); // the unsent one, dropped

    // Redis takes the late add after all: it will be stored; the dropped batch is never sent.
    queue.adds[0].resolve();
    await advance(ACCEPT_TIMEOUT_MS * 2);
    expect(queue.adds.map((add) => add.titles)).toEqual([['sent']]);
    expect(backlog.exits.at(-1)).toEqual({ count: 1, queued: true });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('queued after all'));
  });

  it('sends what is waiting when the module is destroyed', () => {
    const { queue, batcher } = setUp();
    void batcher.add(publish('last'));
    batcher.onModuleDestroy();
    expect(queue.adds.map((add) => add.titles)).toEqual([['last']]);
  });
});
