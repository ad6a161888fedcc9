/**
 * Snooze over REST: out of the inbox and the count until it wakes, unread, on every socket of
 * the user on every instance; the wake-up is a delayed job that moves with the snooze, is
 * removed on cancel, does nothing when stale, survives a restart, and is redone by the
 * maintenance sweep when Redis lost it.
 */
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { INBOX_QUEUE, snoozeJobId } from '../src/notifications/lifecycle/inbox.jobs';
import { ids, inMinutes } from './inbox-lifecycle.fixtures';
import { eventually } from './support/test-app';
import { useTestApp, type On } from './support/use-test-app';

const herald = useTestApp({ instances: 2 });
const inboxQueue = (on: On = 0) => herald.get<Queue>(getQueueToken(INBOX_QUEUE), on);

describe('snooze', () => {
  it('takes it out of the inbox and the count, then wakes it unread on every socket', async () => {
    const frank = herald.user('frank');
    const api = herald.as(frank).inbox;
    const [b, a] = await herald.seed(frank, 2);
    await api.read(a.id);
    const phone = await herald.connect(frank);
    const laptop = await herald.connect(frank, { on: 1 });
    const until = inMinutes(5);
    expect((await api.snooze(b.id, until)).snoozedUntil).toBe(until);
    for (const socket of [phone, laptop]) {
      expect(await socket.next('snoozed')).toEqual({ ids: [b.id], until });
      expect(await socket.next('unread')).toEqual({ count: 0 });
    }
    expect(ids(await api.list())).toEqual([a.id]);
    expect(ids(await api.list({ view: 'snoozed' }))).toEqual([b.id]);

    // The delayed job is in Redis; run it now instead of in five minutes.
    const job = await inboxQueue().getJob(snoozeJobId(b.id, Date.parse(until)));
    expect(job && (await job.getState())).toBe('delayed');
    await job!.promote();
    for (const socket of [phone, laptop]) {
      const { notification } = await socket.next('unsnoozed', { timeoutMs: 5000 });
      expect(notification).toMatchObject({ id: b.id, snoozedUntil: null, readAt: null });
      expect(await socket.next('unread')).toEqual({ count: 1 });
    }
    expect(ids(await api.list())).toEqual([b.id, a.id]);
  });

  it('a read notification comes back unread; moving the snooze moves the job', async () => {
    const gina = herald.user('gina');
    const api = herald.as(gina).inbox;
    const [row] = await herald.seed(gina, 1);
    await api.read(row.id);
    const first = inMinutes(10);
    const later = inMinutes(20);
    await api.snooze(row.id, first);
    await api.snooze(row.id, later);
    const queue = inboxQueue();
    expect(await queue.getJob(snoozeJobId(row.id, Date.parse(first)))).toBeNull();
    const job = await queue.getJob(snoozeJobId(row.id, Date.parse(later)));
    expect(await job?.getState()).toBe('delayed');
    expect(await api.unreadCount()).toBe(0);
    await job!.promote();
    await eventually(async () => (await api.unreadCount()) === 1, 5000, 'woken unread');
    expect((await api.list()).items[0]).toMatchObject({ id: row.id, readAt: null });
  });

  it('cancelling removes the job; a stale wake-up (unsnoozed or deleted row) does nothing', async () => {
    const hank = herald.user('hank');
    const api = herald.as(hank).inbox;
    const [kept, gone] = await herald.seed(hank, 2);
    const socket = await herald.connect(hank);
    const until = inMinutes(30);
    await api.snooze(kept.id, until);
    await api.snooze(gone.id, until);
    const queue = inboxQueue();
    const staleKept = await queue.getJob(snoozeJobId(kept.id, Date.parse(until)));
    const staleGone = await queue.getJob(snoozeJobId(gone.id, Date.parse(until)));

    expect(await api.unsnooze(kept.id)).toMatchObject({
      id: kept.id,
      snoozedUntil: null,
      readAt: null,
    });
    expect((await socket.next('unsnoozed')).notification.id).toBe(kept.id);
    expect(await queue.getJob(snoozeJobId(kept.id, Date.parse(until)))).toBeNull();
    await api.delete(gone.id);
    expect(await api.unreadCount()).toBe(1);

    // The jobs as a worker could still hold them, re-added and run: nothing changes.
    for (const stale of [staleKept!, staleGone!]) {
      await queue.add('snooze.wake', stale.data, { jobId: `stale-${stale.id}` });
    }
    await eventually(
      async () => {
        const states = await Promise.all(
          [staleKept, staleGone].map(async (s) =>
            (await queue.getJob(`stale-${s!.id}`))?.getState(),
          ),
        );
        return states.every((state) => state === 'completed');
      },
      5000,
      'stale wake-ups run',
    );
    await api.archive(kept.id); // a marker after the wake-ups
    await socket.next('archived');
    expect(socket.all('unsnoozed')).toHaveLength(1);
    expect(await api.unreadCount()).toBe(0);
  });

  it('survives a restart: the wake-up stays in Redis and the next instance runs it', async () => {
    const ivan = herald.user('ivan');
    const [row] = await herald.seed(ivan, 1);
    const until = inMinutes(2);
    await herald.as(ivan).inbox.snooze(row.id, until);
    await herald.restart(1);
    const socket = await herald.connect(ivan, { on: 1 });
    const job = await inboxQueue(1).getJob(snoozeJobId(row.id, Date.parse(until)));
    await job!.promote();
    expect((await socket.next('unsnoozed', { timeoutMs: 8000 })).notification.id).toBe(row.id);
  });

  it('wakes a snooze whose job was lost, from the maintenance sweep', async () => {
    const judy = herald.user('judy');
    const api = herald.as(judy).inbox;
    const [row] = await herald.seed(judy, 1);
    await api.snooze(row.id, inMinutes(3));
    // As if Redis had lost the job and its time had passed.
    const [snoozed] = (await api.list({ view: 'snoozed' })).items;
    await (
      await inboxQueue().getJob(snoozeJobId(row.id, Date.parse(snoozed.snoozedUntil!)))
    )?.remove();
    await (
      await herald.db()
    ).query(`UPDATE notifications SET snoozed_until = now() - interval '5 minutes' WHERE id = $1`, [
      row.id,
    ]);
    const sweep = await inboxQueue().add('maintenance', {}, { jobId: `sweep-${row.id}` });
    await eventually(
      async () => {
        const state = await (await inboxQueue().getJob(sweep.id))?.getState();
        if (state === 'failed')
          throw new Error((await inboxQueue().getJob(sweep.id))!.failedReason);
        return state === 'completed';
      },
      8000,
      'the sweep',
    );
    expect(await api.unreadCount()).toBe(1);
  });
});
