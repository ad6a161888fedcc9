/**
 * Archive, unarchive, delete and snooze (API.md "Inbox lifecycle"), each scoped to the caller
 * (another user's id is "not found"), each keeping the unread count exact (InboxChanges), each
 * pushed after commit to every socket of the user on every instance, then `unread` when the
 * count moved.
 */
import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { UUID_PATTERN } from '../../http/uuid';
import type { ServerEvents } from '../../realtime/protocol';
import { IDS_IN_EVENT, InboxPush } from '../inbox-push';
import { InboxMetrics } from '../inbox-metrics';
import type { NotificationView } from '../notification.types';
import {
  CHUNK,
  InboxChanges,
  toNotificationView,
  type Change,
  type ChangeAction,
} from './inbox-changes';
import type { SnoozeWakeJob } from './inbox.jobs';
import { InboxQueue } from './inbox.queue';

export const SNOOZE_MIN_MS = 60_000;
export const SNOOZE_MAX_MS = 90 * 24 * 3600_000;

export type DeleteView = 'inbox' | 'archived' | 'snoozed' | 'all';

const ARCHIVE: ChangeAction = {
  set: 'archived_at = now(), read_at = coalesce(read_at, now()), snoozed_until = NULL',
};
const UNARCHIVE: ChangeAction = { set: 'archived_at = NULL' };
const DELETE: ChangeAction = { delete: true };
const VIEW_WHERE: Record<DeleteView, string> = {
  inbox: 'archived_at IS NULL AND snoozed_until IS NULL',
  archived: 'archived_at IS NOT NULL',
  snoozed: 'snoozed_until IS NOT NULL',
  all: 'true',
};

@Injectable()
export class InboxLifecycleService {
  constructor(
    private readonly changes: InboxChanges,
    private readonly queue: InboxQueue,
    private readonly pushes: InboxPush,
    private readonly metrics: InboxMetrics,
  ) {}

  async archiveOne(userId: string, id: string): Promise<NotificationView> {
    return this.one(userId, id, 'archived_at IS NULL', ARCHIVE, 'archived');
  }

  archiveMany(userId: string, ids: string[]): Promise<number> {
    return this.many(userId, 'archived_at IS NULL', ids, ARCHIVE, 'archived');
  }

  archiveAll(userId: string): Promise<number> {
    return this.all(userId, 'archived_at IS NULL', ARCHIVE, 'archived');
  }

  unarchiveOne(userId: string, id: string): Promise<NotificationView> {
    return this.one(userId, id, 'archived_at IS NOT NULL', UNARCHIVE, 'unarchived');
  }

  unarchiveMany(userId: string, ids: string[]): Promise<number> {
    return this.many(userId, 'archived_at IS NOT NULL', ids, UNARCHIVE, 'unarchived');
  }

  unarchiveAll(userId: string): Promise<number> {
    return this.all(userId, 'archived_at IS NOT NULL', UNARCHIVE, 'unarchived');
  }

  async deleteOne(userId: string, id: string): Promise<void> {
    if (!UUID_PATTERN.test(id)) throw notFound();
    const change = await this.changes.apply(userId, 'id = $2', [id], DELETE);
    const [row] = change.rows;
    if (!row) throw notFound();
    if (row.old_until) await this.queue.cancelWake(id, row.old_until.getTime());
    await this.announce(userId, change, 'deleted');
  }

  deleteMany(userId: string, ids: string[]): Promise<number> {
    return this.many(userId, 'true', ids, DELETE, 'deleted');
  }

  deleteAll(userId: string, view: DeleteView): Promise<number> {
    return this.all(userId, VIEW_WHERE[view], DELETE, 'deleted');
  }

  /**
   * Snoozes (or moves the snooze of) one notification to `until`. The wake-up job is added
   * before the row changes: if the change then fails, the job finds the row without its time
   * and does nothing; the other order could leave a snoozed row with no job.
   */
  async snooze(userId: string, id: string, until: Date): Promise<NotificationView> {
    const ahead = until.getTime() - Date.now();
    if (!(ahead >= SNOOZE_MIN_MS && ahead <= SNOOZE_MAX_MS)) {
      throw new BadRequestException(['until must be between 1 minute and 90 days from now']);
    }
    if (!UUID_PATTERN.test(id) || !(await this.changes.find(userId, id))) throw notFound();
    const iso = until.toISOString();
    await this.queue.scheduleWake({ userId, notificationId: id, until: iso });
    const change = await this.changes.apply(userId, 'id = $2', [id, iso], {
      set: 'snoozed_until = $3::timestamptz, archived_at = NULL',
    });
    const [row] = change.rows;
    if (!row) {
      await this.queue.cancelWake(id, until.getTime());
      throw notFound();
    }
    if (row.old_until && row.old_until.getTime() !== until.getTime()) {
      await this.queue.cancelWake(id, row.old_until.getTime());
    }
    await this.pushes.changed(userId, 'snoozed', { ids: [id], until: iso }, change.unread);
    return toNotificationView(row);
  }

  /** Ends a snooze now (the notification keeps its read state); not snoozed: as it is. */
  async unsnooze(userId: string, id: string): Promise<NotificationView> {
    if (!UUID_PATTERN.test(id)) throw notFound();
    const change = await this.changes.apply(userId, 'id = $2 AND snoozed_until IS NOT NULL', [id], {
      set: 'snoozed_until = NULL',
    });
    const [row] = change.rows;
    if (!row) {
      const current = await this.changes.find(userId, id);
      if (!current) throw notFound();
      return toNotificationView(current);
    }
    if (row.old_until) await this.queue.cancelWake(id, row.old_until.getTime());
    const notification = toNotificationView(row);
    await this.pushes.changed(userId, 'unsnoozed', { notification }, change.unread);
    return notification;
  }

  /**
   * A wake-up: only a row still snoozed to exactly the job's time comes back (unread). One
   * deleted, unsnoozed or moved meanwhile, or a job run twice, changes nothing and sends nothing.
   */
  async wake(job: SnoozeWakeJob): Promise<boolean> {
    const change = await this.changes.apply(
      job.userId,
      "id = $2 AND date_trunc('milliseconds', snoozed_until) = $3::timestamptz",
      [job.notificationId, job.until],
      { set: 'snoozed_until = NULL, read_at = NULL' },
    );
    const [row] = change.rows;
    if (!row) return false;
    this.metrics.wokeUp();
    await this.pushes.changed(
      job.userId,
      'unsnoozed',
      { notification: toNotificationView(row) },
      change.unread,
    );
    return true;
  }

  private async one(
    userId: string,
    id: string,
    where: string,
    action: ChangeAction,
    event: 'archived' | 'unarchived',
  ): Promise<NotificationView> {
    if (!UUID_PATTERN.test(id)) throw notFound();
    const change = await this.changes.apply(userId, `id = $2 AND ${where}`, [id], action);
    const [row] = change.rows;
    if (!row) {
      const current = await this.changes.find(userId, id);
      if (!current) throw notFound();
      return toNotificationView(current); // already so: nothing changed, nothing pushed
    }
    if (row.old_until && event === 'archived')
      await this.queue.cancelWake(id, row.old_until.getTime());
    await this.announce(userId, change, event);
    return toNotificationView(row);
  }

  private async many(
    userId: string,
    where: string,
    ids: string[],
    action: ChangeAction,
    event: 'archived' | 'unarchived' | 'deleted',
  ): Promise<number> {
    const change = await this.changes.apply(
      userId,
      `id = ANY($2::uuid[]) AND ${where}`,
      [[...new Set(ids)]],
      action,
    );
    await this.announce(userId, change, event);
    return change.rows.length;
  }

  /** In chunks of CHUNK rows, each its own transaction: no statement holds 100,000 row locks. */
  private async all(
    userId: string,
    where: string,
    action: ChangeAction,
    event: 'archived' | 'unarchived' | 'deleted',
  ): Promise<number> {
    const ids: string[] = [];
    let total = 0;
    let unread: number | null = null;
    let archivedAt: Date | null = null;
    for (;;) {
      const change = await this.changes.apply(userId, where, [], action, CHUNK);
      total += change.rows.length;
      if (change.unread !== null) unread = change.unread;
      archivedAt ??= change.rows[0]?.archived_at ?? null;
      for (const row of change.rows) if (ids.length <= IDS_IN_EVENT) ids.push(row.id);
      if (change.rows.length < CHUNK) break;
    }
    if (total === 0) return 0;
    const listed = total <= IDS_IN_EVENT ? ids : [];
    await this.pushes.changed(
      userId,
      event,
      this.eventData(event, listed, archivedAt, true),
      unread,
    );
    return total;
  }

  private async announce(
    userId: string,
    change: Change,
    event: 'archived' | 'unarchived' | 'deleted',
  ): Promise<void> {
    if (change.rows.length === 0) return;
    const ids = change.rows.map((row) => row.id);
    const data = this.eventData(event, ids, change.rows[0].archived_at, false);
    await this.pushes.changed(userId, event, data, change.unread);
  }

  private eventData(
    event: 'archived' | 'unarchived' | 'deleted',
    ids: string[],
    archivedAt: Date | null,
    all: boolean,
  ): ServerEvents['archived'] & ServerEvents['unarchived'] {
    if (event !== 'archived') return (all ? { ids, all } : { ids }) as ServerEvents['archived'];
    return { ids, archivedAt: (archivedAt ?? new Date()).toISOString(), ...(all ? { all } : {}) };
  }
}

function notFound(): NotFoundException {
  return new NotFoundException('notification not found');
}
