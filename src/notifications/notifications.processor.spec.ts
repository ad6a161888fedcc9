import type { Queue } from 'bull';
import type { AppConfig } from '../config/app-config';
import type { Dispatch, NotificationDispatcher } from './notification-dispatcher';
import type { NotificationStore } from './notification-store';
import type { BatchedPublish } from './notifications.jobs';
import { NotificationsProcessor } from './notifications.processor';
import type { PublicationSnapshots } from './publication-snapshots';
import { PARTS_ABOVE } from './publication-parts';

const users = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

const item = (publicationId: string, fields: Partial<BatchedPublish> = {}): BatchedPublish => ({
  publicationId,
  publisherId: 'svc',
  target: { topic: 'ops' },
  type: 't',
  title: publicationId,
  body: '',
  data: {},
  acceptedAt: 1,
  ...fields,
});

/** A processor over a topic with `subscribers` and snapshots frozen before (`frozen`). */
function setUp(subscribers: string[], frozen: Record<string, string[]> = {}) {
  const calls = { subscribersOf: 0, freeze: [] as string[] };
  const dispatched: Dispatch[] = [];
  const store = {
    subscribersOf: () => {
      calls.subscribersOf++;
      return Promise.resolve(new Map([['ops', subscribers]]));
    },
  };
  const snapshots = {
    find: () => Promise.resolve(new Map(Object.entries(frozen))),
    freeze: (publicationId: string) => {
      calls.freeze.push(publicationId);
      return Promise.resolve([...subscribers].sort());
    },
  };
  const dispatcher = {
    dispatch: (publications: readonly Dispatch[]) => {
      dispatched.push(...publications);
      return Promise.resolve();
    },
  };
  const processor = new NotificationsProcessor(
    {} as Queue,
    {} as AppConfig,
    store as unknown as NotificationStore,
    snapshots as unknown as PublicationSnapshots,
    dispatcher as unknown as NotificationDispatcher,
  );
  return { processor, calls, dispatched };
}

describe('NotificationsProcessor.publishBatch', () => {
  it('hands listed publishes on as they are, with no lookup', async () => {
    const { processor, calls, dispatched } = setUp([]);
    await processor.publishBatch([item('a', { target: { userIds: ['ann'] }, critical: true })]);
    expect(calls.subscribersOf).toBe(0);
    expect(dispatched).toEqual([
      {
        publicationId: 'a',
        target: { userIds: ['ann'] },
        content: {
          type: 't',
          title: 'a',
          body: '',
          data: {},
          topic: null,
          publisher: 'svc',
          critical: true,
        },
        recipients: undefined,
        acceptedAt: 1,
      },
    ]);
  });

  it("gives a small topic publish the topic's current subscribers, not frozen", async () => {
    const { processor, calls, dispatched } = setUp(['ann', 'bo']);
    await processor.publishBatch([item('a'), item('b')]);
    expect(calls.subscribersOf).toBe(1); // one lookup for the batch
    expect(calls.freeze).toEqual([]);
    expect(dispatched.map((d) => [d.content.topic, d.recipients])).toEqual([
      ['ops', ['ann', 'bo']],
      ['ops', ['ann', 'bo']],
    ]);
  });

  it('freezes a large topic publish, so that a retry stores the same parts', async () => {
    const crowd = users('u', PARTS_ABOVE + 1);
    const { processor, calls, dispatched } = setUp(crowd);
    await processor.publishBatch([item('big')]);
    expect(calls.freeze).toEqual(['big']);
    expect(dispatched[0].recipients).toEqual([...crowd].sort());
  });

  it('uses the list an earlier run froze, whatever the topic has become', async () => {
    const { processor, calls, dispatched } = setUp(['newcomer'], { big: ['ann', 'bo'] });
    await processor.publishBatch([item('big')]);
    expect(calls.freeze).toEqual([]);
    expect(dispatched[0].recipients).toEqual(['ann', 'bo']);
  });

  it('keeps the recipients a job of an earlier version carries', async () => {
    const { processor, calls, dispatched } = setUp(['newcomer']);
    await processor.publishBatch([item('old', { recipients: ['ann'] })]);
    expect(calls.subscribersOf).toBe(0);
    expect(dispatched[0].recipients).toEqual(['ann']);
  });
});
