/** The notifications a page holds for one user: newest first, each id and each seq once. */
import type { Notification } from './types';

export class NotificationList {
  private readonly byId = new Map<string, Notification>();
  /** Replaced, never mutated, so a snapshot handed out stays as it was. */
  private list: Notification[] = [];

  get items(): readonly Notification[] {
    return this.list;
  }

  /** The highest seq held, 0 when empty. */
  get newestSeq(): number {
    return this.list[0]?.seq ?? 0;
  }

  get(id: string): Notification | undefined {
    return this.byId.get(id);
  }

  /** Puts a notification in seq order; false when its id or seq is already here. */
  insert(notification: Notification): boolean {
    if (this.byId.has(notification.id)) return false;
    if (this.list.some((n) => n.seq === notification.seq)) return false;
    this.byId.set(notification.id, notification);
    const at = this.list.findIndex((n) => n.seq < notification.seq);
    this.list =
      at === -1
        ? [...this.list, notification]
        : [...this.list.slice(0, at), notification, ...this.list.slice(at)];
    return true;
  }

  setReadAt(targets: readonly Notification[], readAt: string | null): void {
    const ids = new Set(targets.map((n) => n.id));
    this.list = this.list.map((n) => (ids.has(n.id) ? { ...n, readAt } : n));
    for (const n of this.list) if (ids.has(n.id)) this.byId.set(n.id, n);
  }

  /** Takes the notifications out; answers those that were here. */
  remove(ids: readonly string[]): Notification[] {
    const gone = ids.map((id) => this.byId.get(id)).filter((n): n is Notification => !!n);
    if (!gone.length) return gone;
    for (const n of gone) this.byId.delete(n.id);
    const set = new Set(gone.map((n) => n.id));
    this.list = this.list.filter((n) => !set.has(n.id));
    return gone;
  }

  clear(): void {
    this.byId.clear();
    this.list = [];
  }
}
