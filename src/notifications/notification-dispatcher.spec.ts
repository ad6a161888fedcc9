import type { MetricsService } from '../metrics/metrics.service';
import type { RealtimePublisher } from '../realtime/realtime.publisher';
import { NotificationDispatcher, REPEAT_AFTER_MS, type Dispatch } from './notification-dispatcher';
import type { NotificationStore } from './notification-store';
import type { StoredPublication } from './notification.types';

const content = {
  type: 't',
  title: 'x',
  body: '',
  data: {},
  topic: null,
  publisher: 'alice',
};

function stored(users: string[], created = true, createdAt = 0): StoredPublication {
  return {
    created,
    createdAt: new Date(createdAt).toISOString(),
    content,
    recipients: users.map((userId, k) => ({ userId, id: `id-${userId}`, seq: k + 1, unread: 1 })),
  };
}

/** A dispatcher over a store that answers `answers` in turn, recording what happens in order. */
function setUp(answers: StoredPublication[][]) {
  const events: string[] = [];
  const store = {
    storeBatch: jest.fn((inputs: Dispatch[]) => {
      events.push(`store ${inputs.map((i) => i.publicationId).join(',')}`);
      return Promise.resolve(answers.shift() ?? []);
    }),
    storeInParts: jest.fn(
      (input: Dispatch, _users: readonly string[], onPart: (p: StoredPublication) => void) => {
        events.push(`parts ${input.publicationId}`);
        onPart(stored(['p1', 'p2']));
        onPart(stored(['p3']));
        return Promise.resolve();
      },
    ),
  };
  const metrics = {
    notificationsPublished: jest.fn((n: number) => events.push(`published ${n}`)),
    publicationStored: jest.fn(() => events.push('stored-latency')),
  };
  const realtime = {
    publishNotifications: jest.fn((publications: StoredPublication[]) => {
      events.push(`push ${publications.map((p) => p.recipients.length).join(',')}`);
      return Promise.resolve();
    }),
  };
  const pushed: StoredPublication[][] = [];
  const push = {
    dispatch: jest.fn((publications: readonly StoredPublication[]) => {
      pushed.push([...publications]);
      events.push(`webpush ${publications.map((p) => p.recipients.length).join(',')}`);
      return Promise.resolve();
    }),
  };
  const dispatcher = new NotificationDispatcher(
    store as unknown as NotificationStore,
    realtime as unknown as RealtimePublisher,
    metrics as unknown as MetricsService,
    push,
  );
  return { dispatcher, events, metrics, push, pushed, realtime, store };
}

const toUsers = (publicationId: string, userIds: string[], acceptedAt?: number): Dispatch => ({
  publicationId,
  target: { userIds },
  content,
  acceptedAt,
});

/** One recipient over PARTS_ABOVE: stored in parts. */
const big = Array.from({ length: 2001 }, (_, k) => `u${k}`);

describe('NotificationDispatcher', () => {
  it('hands every stored publication (or part) to Web Push along with the sockets', async () => {
    const { dispatcher, pushed, realtime } = setUp([[stored(['bob'])]]);
    await dispatcher.dispatch([toUsers('pub-1', ['bob'])]);
    expect(pushed.map((p) => p.map((one) => one.recipients.length))).toEqual([[1]]);
    expect(realtime.publishNotifications).toHaveBeenCalledWith(pushed[0]);
  });

  it('does not hold the job for the realtime push before handing the batch to Web Push', async () => {
    const { dispatcher, push, realtime } = setUp([[stored(['bob'])]]);
    let finishRealtime = () => {};
    realtime.publishNotifications.mockImplementationOnce(
      () => new Promise<void>((resolve) => (finishRealtime = resolve)),
    );
    const handedOver = new Promise<void>((resolve) =>
      push.dispatch.mockImplementationOnce(() => {
        resolve();
        return Promise.resolve();
      }),
    );
    const dispatched = dispatcher.dispatch([toUsers('pub-1', ['bob'])]);
    await handedOver; // while the realtime push is still in flight
    finishRealtime();
    await dispatched;
  });

  it('stores, counts, sends, then hands to Web Push; a task notification (no acceptedAt) is counted too', async () => {
    const { dispatcher, events } = setUp([[stored(['bob'])]]);
    await dispatcher.dispatch([toUsers('task-1-assigned-1', ['bob'])]);
    expect(events).toEqual(['store task-1-assigned-1', 'published 1', 'push 1', 'webpush 1']);
  });

  it('counts only rows it created, and the queue wait only of publishes the API accepted', async () => {
    const { dispatcher, events, metrics } = setUp([[stored(['a', 'b'], false), stored(['c'])]]);
    await dispatcher.dispatch([toUsers('again', ['a', 'b'], 1), toUsers('new', ['c'], 1)]);
    expect(events).toEqual([
      'store again,new',
      'stored-latency',
      'published 1',
      'push 2,1',
      'webpush 2,1',
    ]);
    expect(metrics.publicationStored).toHaveBeenCalledTimes(1);
  });

  it('pushes nothing of a repeat: rows stored long before the publish was accepted', async () => {
    const acceptedAt = Date.parse('2026-12-07T10:00:00Z');
    const daysBefore = acceptedAt - 3 * 86_400_000;
    const { dispatcher, events } = setUp([[stored(['a'], false, daysBefore), stored(['b'])]]);
    await dispatcher.dispatch([
      toUsers('repeat', ['a'], acceptedAt),
      toUsers('new', ['b'], acceptedAt),
    ]);
    expect(events).toEqual([
      'store repeat,new',
      'stored-latency',
      'published 1',
      'push 1',
      'webpush 1',
    ]);

    const onlyRepeat = setUp([[stored(['a'], false, daysBefore)]]);
    await onlyRepeat.dispatcher.dispatch([toUsers('repeat', ['a'], acceptedAt)]);
    expect(onlyRepeat.events).toEqual(['store repeat']);
  });

  it('pushes again what an earlier run of the same publish stored (a retry)', async () => {
    const acceptedAt = Date.parse('2026-12-07T10:00:00Z');
    for (const storedAt of [acceptedAt + 5, acceptedAt - REPEAT_AFTER_MS]) {
      const { dispatcher, events } = setUp([[stored(['a'], false, storedAt)]]);
      await dispatcher.dispatch([toUsers('retried', ['a'], acceptedAt)]);
      expect(events).toEqual(['store retried', 'push 1', 'webpush 1']);
    }
    // A task notification has no acceptedAt: what it stored before is always pushed again.
    const task = setUp([[stored(['a'], false, 0)]]);
    await task.dispatcher.dispatch([toUsers('task-1-assigned-1', ['a'])]);
    expect(task.events).toEqual(['store task-1-assigned-1', 'push 1', 'webpush 1']);
  });

  it('sends and pushes no part of a repeat stored in parts', async () => {
    const acceptedAt = Date.parse('2026-12-07T10:00:00Z');
    const { dispatcher, events, store } = setUp([]);
    store.storeInParts.mockImplementationOnce(
      (_input: Dispatch, _users: readonly string[], onPart: (p: StoredPublication) => void) => {
        onPart(stored(['p1', 'p2'], false, acceptedAt - 86_400_000));
        return Promise.resolve();
      },
    );
    await dispatcher.dispatch([toUsers('big', big, acceptedAt)]);
    expect(events).toEqual([]);
  });

  it('stores a list over 2,000 recipients in parts, sending each, Web Push after the last', async () => {
    const { dispatcher, events } = setUp([[stored(['a'])], [stored(['b'])]]);
    await dispatcher.dispatch([
      toUsers('small-1', ['a']),
      toUsers('big', big),
      toUsers('small-2', ['b']),
    ]);
    expect(events).toEqual([
      'store small-1',
      'published 1',
      'push 1',
      'webpush 1',
      'parts big',
      'published 2',
      'push 2',
      'published 1',
      'push 1',
      'store small-2',
      'published 1',
      'push 1',
      'webpush 1',
      'webpush 2,1', // the parts, together, once every part is stored and sent
    ]);
  });

  it('hands the parts already sent to Web Push when a later part fails, and fails the job', async () => {
    const { dispatcher, events, store } = setUp([]);
    store.storeInParts.mockImplementationOnce(
      (_input: Dispatch, _users: readonly string[], onPart: (p: StoredPublication) => void) => {
        onPart(stored(['p1', 'p2']));
        return Promise.reject(new Error('connection lost'));
      },
    );
    await expect(dispatcher.dispatch([toUsers('big', big)])).rejects.toThrow('connection lost');
    expect(events).toEqual(['published 2', 'push 2', 'webpush 2']);
  });

  it('leaves a part whose send failed to the retry: no Web Push for it', async () => {
    const { dispatcher, events, realtime } = setUp([]);
    realtime.publishNotifications.mockImplementationOnce(() =>
      Promise.reject(new Error('redis down')),
    );
    await expect(dispatcher.dispatch([toUsers('big', big)])).rejects.toThrow('redis down');
    expect(events).toEqual(['parts big', 'published 2', 'published 1', 'push 1', 'webpush 1']);
  });
});
