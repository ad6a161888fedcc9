import type { MetricsService } from '../metrics/metrics.service';
import type { RealtimePublisher } from '../realtime/realtime.publisher';
import { NotificationDispatcher, type Dispatch } from './notification-dispatcher';
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

function stored(users: string[], created = true): StoredPublication {
  return {
    created,
    createdAt: new Date(0).toISOString(),
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
  const dispatcher = new NotificationDispatcher(
    store as unknown as NotificationStore,
    realtime as unknown as RealtimePublisher,
    metrics as unknown as MetricsService,
  );
  return { dispatcher, events, metrics };
}

const toUsers = (publicationId: string, userIds: string[], acceptedAt?: number): Dispatch => ({
  publicationId,
  target: { userIds },
  content,
  acceptedAt,
});

describe('NotificationDispatcher', () => {
  it('stores, then counts, then pushes; a task notification (no acceptedAt) is counted too', async () => {
    const { dispatcher, events } = setUp([[stored(['bob'])]]);
    await dispatcher.dispatch([toUsers('task-1-assigned-1', ['bob'])]);
    expect(events).toEqual(['store task-1-assigned-1', 'published 1', 'push 1']);
  });

  it('counts only rows it created, and the queue wait only of publishes the API accepted', async () => {
    const { dispatcher, events, metrics } = setUp([[stored(['a', 'b'], false), stored(['c'])]]);
    await dispatcher.dispatch([toUsers('again', ['a', 'b'], 1), toUsers('new', ['c'], 1)]);
    expect(events).toEqual(['store again,new', 'stored-latency', 'published 1', 'push 2,1']);
    expect(metrics.publicationStored).toHaveBeenCalledTimes(1);
  });

  it('stores a list over 2,000 recipients in parts, pushing each, between ordinary runs', async () => {
    const big = Array.from({ length: 2001 }, (_, k) => `u${k}`);
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
      'parts big',
      'published 2',
      'push 2',
      'published 1',
      'push 1',
      'store small-2',
      'published 1',
      'push 1',
    ]);
  });
});
