import { Logger, NotFoundException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { RealtimePublisher } from '../realtime/realtime.publisher';
import { InboxPush } from './inbox-push';
import type { ListNotificationsQuery } from './dto/list-notifications.query';
import type { InboxCounter, InboxRepository, ReadChange, ReadSelection } from './inbox.repository';
import { InboxService } from './inbox.service';
import type { NotificationView } from './notification.types';

/** Rows in memory, with the SQL's rules: a row counts when unread and in the inbox view. */
class FakeInboxRepository {
  readonly rows: NotificationView[] = [];
  calls = 0;

  add(userId: string, fields: Partial<NotificationView> = {}): NotificationView {
    const seq = this.rows.filter((row) => row.userId === userId).length + 1;
    const row: NotificationView = {
      id: randomUUID(),
      seq,
      userId,
      type: 't',
      title: `n${seq}`,
      body: '',
      data: {},
      topic: null,
      publisher: 'svc',
      createdAt: new Date(0).toISOString(),
      readAt: null,
      critical: false,
      archivedAt: null,
      snoozedUntil: null,
      ...fields,
    };
    this.rows.push(row);
    return row;
  }

  page(userId: string, query: ListNotificationsQuery): Promise<NotificationView[]> {
    this.calls++;
    const rows = this.rows
      .filter((row) => row.userId === userId && (query.unread !== 'true' || !row.readAt))
      .filter((row) => query.view !== 'inbox' || (!row.archivedAt && !row.snoozedUntil))
      .filter((row) => query.after === undefined || row.seq > query.after)
      .filter((row) => query.before === undefined || row.seq < query.before)
      .sort((a, b) => (query.after === undefined ? b.seq - a.seq : a.seq - b.seq));
    return Promise.resolve(rows.slice(0, query.limit + 1));
  }

  counter(userId: string): Promise<InboxCounter> {
    const own = this.rows.filter((row) => row.userId === userId);
    return Promise.resolve({ lastSeq: own.length, unreadCount: own.filter(counted).length });
  }

  range(userId: string, afterSeq: number, limit: number): Promise<NotificationView[]> {
    const own = this.rows.filter((row) => row.userId === userId && row.seq > afterSeq);
    return Promise.resolve(own.slice(0, limit));
  }

  find(userId: string, id: string): Promise<NotificationView | null> {
    this.calls++;
    return Promise.resolve(this.rows.find((r) => r.userId === userId && r.id === id) ?? null);
  }

  markRead(userId: string, selection: ReadSelection): Promise<ReadChange | null> {
    this.calls++;
    const picked = (row: NotificationView) =>
      selection.kind === 'all' ||
      (selection.kind === 'one' ? row.id === selection.id : selection.ids.includes(row.id));
    const changed = this.rows.filter((r) => r.userId === userId && !r.readAt && picked(r));
    if (changed.length === 0) return Promise.resolve(null);
    const before = this.rows.filter((r) => r.userId === userId && counted(r)).length;
    const readAt = new Date(1000);
    for (const row of changed) row.readAt = readAt.toISOString();
    const after = this.rows.filter((r) => r.userId === userId && counted(r)).length;
    const unread = after === before ? null : after;
    return Promise.resolve({ ids: changed.map((row) => row.id), readAt, unread });
  }
}

const counted = (row: NotificationView) => !row.readAt && !row.archivedAt && !row.snoozedUntil;

function setUp() {
  const repository = new FakeInboxRepository();
  const sent: { userId: string; event: string; data: unknown }[] = [];
  const realtime = {
    fail: false,
    sendToUser: (userId: string, event: string, data: unknown) => {
      if (realtime.fail) return Promise.reject(new Error('bus down'));
      sent.push({ userId, event, data });
      return Promise.resolve();
    },
  };
  const inbox = new InboxService(
    repository as unknown as InboxRepository,
    new InboxPush(realtime as unknown as RealtimePublisher),
  );
  return { repository, realtime, sent, inbox };
}

const query = (fields: Partial<ListNotificationsQuery>): ListNotificationsQuery => ({
  limit: 2,
  view: 'inbox',
  ...fields,
});

describe('InboxService', () => {
  it('pages newest first with nextBefore, and oldest first after a seq with nextAfter', async () => {
    const { repository, inbox } = setUp();
    for (let i = 0; i < 5; i++) repository.add('ann');
    repository.add('bo'); // another user's row is never on ann's pages
    const seqs = (page: { items: NotificationView[] }) => page.items.map((item) => item.seq);

    const first = await inbox.list('ann', query({}));
    expect([seqs(first), first.nextBefore, first.nextAfter]).toEqual([[5, 4], 4, undefined]);
    const second = await inbox.list('ann', query({ before: 4 }));
    expect([seqs(second), second.nextBefore]).toEqual([[3, 2], 2]);
    const last = await inbox.list('ann', query({ before: 2 }));
    expect([seqs(last), last.nextBefore]).toEqual([[1], null]);

    const newer = await inbox.list('ann', query({ after: 1 }));
    expect([seqs(newer), newer.nextBefore, newer.nextAfter]).toEqual([[2, 3], null, 3]);
    const newest = await inbox.list('ann', query({ after: 3 }));
    expect([seqs(newest), newest.nextAfter]).toEqual([[4, 5], null]);
  });

  it('marks one read, pushes read and the lowered count, and answers it again unchanged', async () => {
    const { repository, inbox, sent } = setUp();
    const [a] = [repository.add('ann'), repository.add('ann')];

    const marked = await inbox.markRead('ann', a.id);
    expect(marked).toMatchObject({ id: a.id, readAt: new Date(1000).toISOString() });
    expect(sent).toEqual([
      { userId: 'ann', event: 'read', data: { ids: [a.id], readAt: marked.readAt } },
      { userId: 'ann', event: 'unread', data: { count: 1 } },
    ]);
    expect(await inbox.unreadCount('ann')).toBe(1);

    expect(await inbox.markRead('ann', a.id)).toEqual(marked); // already read: nothing pushed
    expect(sent).toHaveLength(2);
  });

  it('sends no unread event when the rows read were not counted (archived)', async () => {
    const { repository, inbox, sent } = setUp();
    const archived = repository.add('ann', { archivedAt: new Date(0).toISOString() });
    repository.add('ann');
    expect(await inbox.markManyRead('ann', [archived.id, archived.id])).toBe(1);
    expect(sent.map((s) => s.event)).toEqual(['read']);
    expect(await inbox.unreadCount('ann')).toBe(1);
  });

  it("never reads or answers another user's notification", async () => {
    const { repository, inbox, sent } = setUp();
    const bos = repository.add('bo');
    await expect(inbox.markRead('ann', bos.id)).rejects.toThrow(NotFoundException);
    expect(await inbox.markManyRead('ann', [bos.id])).toBe(0);
    expect(await inbox.markAllRead('ann')).toBe(0);
    expect(bos.readAt).toBeNull();
    expect(sent).toEqual([]);

    const calls = repository.calls;
    await expect(inbox.markRead('ann', 'not-a-uuid')).rejects.toThrow(NotFoundException);
    expect(repository.calls).toBe(calls); // refused before any query
  });

  it('lists the ids of a read-all up to 500, past that only `all`', async () => {
    const { repository, inbox, sent } = setUp();
    const few = [repository.add('ann'), repository.add('ann')];
    expect(await inbox.markAllRead('ann')).toBe(2);
    expect(sent[0].data).toEqual({
      ids: few.map((row) => row.id),
      readAt: new Date(1000).toISOString(),
      all: true,
    });
    expect(sent[1].data).toEqual({ count: 0 });

    sent.length = 0;
    for (let i = 0; i < 501; i++) repository.add('cy');
    expect(await inbox.markAllRead('cy')).toBe(501);
    expect(sent[0].data).toMatchObject({ ids: [], all: true });
  });

  it('answers a committed read even when its push fails, and logs it', async () => {
    const { repository, realtime, inbox } = setUp();
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      repository.add('ann');
      realtime.fail = true;
      expect(await inbox.markAllRead('ann')).toBe(1);
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('bus down'));
      expect(await inbox.unreadCount('ann')).toBe(0);
    } finally {
      warn.mockRestore();
    }
  });
});
