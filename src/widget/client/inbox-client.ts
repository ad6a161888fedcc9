/**
 * One user's inbox on this page: the notifications loaded so far (newest first, each once),
 * the unread count, and the connection. Widgets render snapshots of it; several widgets for
 * the same server and token share one (see client-registry.ts).
 *
 * Nothing missed, nothing twice: `syncedThrough` is the seq up to which the list is complete.
 * The first REST page sets it; after each `ready` the client sends `resume {afterSeq}` from it
 * when the server has more (`ready.lastSeq`), and every notification is keyed by id and seq.
 *
 * About 300 lines on purpose: the list, the unread count and that sync cursor change together
 * in every handler below (a page, a frame, a reset), and the invariant is only checkable when
 * all of them are read side by side. What is separable lives elsewhere: the lifecycle
 * (inbox-lifecycle.ts), the list (notification-list.ts), the transport (fallback-connection.ts).
 */
import type { Frame, ServerEvents } from '../../realtime/protocol';
import { messageOf } from './format';
import { InboxLifecycle } from './inbox-lifecycle';
import { NotificationList } from './notification-list';
import { FallbackConnection } from './fallback-connection';
import { RestClient } from './rest-client';
import type { TokenSource } from './token-source';
import type { ConnectionStatus, InboxEvent, InboxSnapshot, Notification } from './types';

export type { InboxEvent, InboxSnapshot } from './types';

export class InboxClient {
  private readonly list = new NotificationList();
  private unread: number | null = null;
  /** Seqs up to here are included in `unread`. */
  private countedThrough = 0;
  private syncedThrough: number | null = null;
  /** `ready.lastSeq` of the current socket; null while disconnected. */
  private serverSeq: number | null = null;
  private resume: 'pending' | 'running' | 'done' = 'pending';
  /** Bumped by reset(), so a page that was in flight is dropped. */
  private generation = 0;
  private nextBefore: number | null | undefined = undefined;
  private loading: InboxSnapshot['loading'] = null;
  private loadError: string | null = null;
  private notice: string | null = null;
  private status: ConnectionStatus = 'connecting';
  private retryAt: number | null = null;
  private readonly listeners = new Set<(event: InboxEvent) => void>();
  private readonly rest: RestClient;
  private readonly connection: FallbackConnection;
  /** Archive, delete, snooze, preferences (inbox-lifecycle.ts). */
  readonly lifecycle: InboxLifecycle;

  constructor(
    readonly server: string,
    tokens: TokenSource,
  ) {
    this.rest = new RestClient(server, tokens);
    this.lifecycle = new InboxLifecycle(this.rest, {
      inbox: this.list,
      insert: (notification) => void this.list.insert(notification),
      reload: () => void this.load('first'),
      notice: (text) => this.showNotice(text),
      emit: () => this.emit(),
    });
    this.connection = new FallbackConnection(server, tokens, this.rest, {
      frame: (frame) => this.onFrame(frame),
      status: (status, retryAt) => this.onStatus(status, retryAt),
    });
  }

  start(): void {
    this.connection.start();
  }

  stop(): void {
    this.connection.stop();
  }

  subscribe(listener: (event: InboxEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  snapshot(): InboxSnapshot {
    return {
      items: this.list.items,
      unread: this.unread,
      status: this.status,
      retryAt: this.retryAt,
      loaded: this.nextBefore !== undefined,
      loading: this.loading,
      hasMore: typeof this.nextBefore === 'number',
      loadError: this.loadError,
      notice: this.notice,
      lifecycle: this.lifecycle.snapshot(),
    };
  }

  /** Loads the newest page unless it is loaded or loading (the panel calls this on open). */
  async ensureLoaded(): Promise<void> {
    if (this.nextBefore === undefined && this.loading !== 'first') await this.load('first');
  }

  /** The next older page (infinite scroll). */
  async loadOlder(): Promise<void> {
    if (typeof this.nextBefore === 'number' && !this.loading) await this.load('older');
  }

  /** Retries what failed: the connection now, and the list if its load failed. */
  retry(): void {
    this.connection.retryNow();
    if (this.loadError !== null) {
      void (this.nextBefore === undefined ? this.ensureLoaded() : this.loadOlder());
    }
  }

  async markRead(id: string): Promise<void> {
    const item = this.list.get(id);
    if (!item || item.readAt) return;
    this.list.setReadAt([item], new Date().toISOString());
    if (this.unread) this.unread -= 1;
    this.emit();
    try {
      await this.rest.markRead(id);
    } catch (error) {
      const undone = this.undoRead([item], `Couldn’t mark as read: ${messageOf(error)}`);
      if (this.unread !== null) this.unread += undone;
      this.emit();
    }
  }

  async markAllRead(): Promise<void> {
    const unread = this.list.items.filter((n) => !n.readAt);
    const count = this.unread;
    this.list.setReadAt(unread, new Date().toISOString());
    this.unread = 0;
    this.emit();
    try {
      await this.rest.markAllRead();
    } catch (error) {
      this.undoRead(unread, `Couldn’t mark all as read: ${messageOf(error)}`);
      this.unread = count;
      this.emit();
    }
  }

  private onFrame(frame: Frame): void {
    switch (frame.event) {
      case 'ready':
        this.lifecycle.onReady();
        return this.onReady(frame.data as ServerEvents['ready']);
      case 'notification':
        return this.onNotification(frame.data as Notification);
      case 'resumed':
        return this.onResumed(frame.data as ServerEvents['resumed']);
      case 'unread':
        this.unread = (frame.data as ServerEvents['unread']).count;
        this.countedThrough = Math.max(this.countedThrough, this.list.newestSeq);
        return this.emit();
      case 'read':
        return this.onRead(frame.data as ServerEvents['read']);
      case 'error':
        return this.onServerError(frame.data as ServerEvents['error']);
      default:
        this.lifecycle.onFrame(frame);
        return; // pong, and events newer than this widget
    }
  }

  private onReady(ready: ServerEvents['ready']): void {
    this.unread = ready.unreadCount;
    this.countedThrough = ready.lastSeq;
    this.serverSeq = ready.lastSeq;
    this.resume = 'pending';
    if (this.syncedThrough !== null && this.syncedThrough > ready.lastSeq) {
      this.reset(); // the server has less than this page saw: its data was reset
      void this.ensureLoaded();
    } else {
      this.resumeIfBehind();
    }
    this.emit();
  }

  private resumeIfBehind(): void {
    if (this.serverSeq === null || this.syncedThrough === null || this.resume !== 'pending') return;
    if (this.syncedThrough >= this.serverSeq) {
      this.resume = 'done';
    } else if (this.connection.send('resume', { afterSeq: this.syncedThrough })) {
      this.resume = 'running';
    }
  }

  private onNotification(notification: Notification): void {
    const replayed = this.resume === 'running';
    // A replayed row archived or snoozed meanwhile belongs to no list shown here.
    const snoozed = notification.snoozedUntil && Date.parse(notification.snoozedUntil) > Date.now();
    if (notification.archivedAt || snoozed) {
      if (this.resume === 'done') {
        this.syncedThrough = Math.max(this.syncedThrough ?? 0, notification.seq);
      }
      return;
    }
    if (!this.add(notification)) return;
    // Live frames continue the list only once it is contiguous with the socket's stream.
    if (this.resume === 'done') {
      this.syncedThrough = Math.max(this.syncedThrough ?? 0, notification.seq);
    }
    this.emit();
    if (!replayed) this.emit({ type: 'live', notification });
  }

  private onResumed(resumed: ServerEvents['resumed']): void {
    if (resumed.complete) {
      this.resume = 'done';
      this.syncedThrough = Math.max(this.syncedThrough ?? 0, this.list.newestSeq);
    } else {
      // More was missed than one replay carries: start over from the newest page.
      const serverSeq = this.serverSeq;
      this.reset();
      this.serverSeq = serverSeq;
      void this.ensureLoaded();
    }
    this.emit();
  }

  private onRead({ ids, readAt, all }: ServerEvents['read']): void {
    const targets = all
      ? this.list.items.filter((n) => !n.readAt && n.createdAt <= readAt)
      : ids.map((id) => this.list.get(id)).filter((n): n is Notification => !!n && !n.readAt);
    if (!targets.length) return;
    this.list.setReadAt(targets, readAt);
    this.emit();
  }

  private onServerError(error: ServerEvents['error']): void {
    const retry = error.code === 'unavailable' || error.code === 'rate_limited';
    if (this.resume === 'running' && retry) {
      this.resume = 'pending'; // storage hiccup or over the budget: ask again shortly
      setTimeout(() => this.resumeIfBehind(), Math.max(error.retryAfterMs ?? 0, 1000));
    }
  }

  private onStatus(status: ConnectionStatus, retryAt: number | null): void {
    if (status !== 'online') this.serverSeq = null;
    this.status = status;
    this.retryAt = retryAt;
    this.emit();
  }

  /** Adds a notification not seen before (by id or seq); counts it when it is new and unread. */
  private add(notification: Notification): boolean {
    if (!this.list.insert(notification)) return false;
    if (this.unread !== null && notification.seq > this.countedThrough) {
      if (!notification.readAt) this.unread += 1;
      this.countedThrough = notification.seq;
    }
    return true;
  }

  /** Reverts an optimistic read; returns how many were reverted. */
  private undoRead(targets: readonly Notification[], notice: string): number {
    const stillRead = targets.filter((n) => this.list.get(n.id)?.readAt);
    this.list.setReadAt(stillRead, null);
    this.showNotice(notice);
    return stillRead.length;
  }

  /** A failed action, shown for a few seconds. */
  private showNotice(notice: string): void {
    this.notice = notice;
    this.emit();
    setTimeout(() => {
      if (this.notice !== notice) return;
      this.notice = null;
      this.emit();
    }, 6000);
  }

  private async load(kind: 'first' | 'older'): Promise<void> {
    const generation = this.generation;
    this.loading = kind;
    this.loadError = null;
    this.emit();
    try {
      const page = await this.rest.page(kind === 'older' ? (this.nextBefore ?? 0) : undefined);
      if (generation !== this.generation) return; // the list was reset meanwhile
      for (const item of page.items) this.add(item);
      this.nextBefore = page.nextBefore;
      if (kind === 'first') {
        this.syncedThrough = Math.max(this.syncedThrough ?? 0, page.items[0]?.seq ?? 0);
        this.resumeIfBehind();
      }
    } catch (error) {
      if (generation === this.generation) this.loadError = messageOf(error);
    } finally {
      if (generation === this.generation) this.loading = null;
      this.emit();
    }
  }

  private reset(): void {
    this.generation += 1;
    this.loading = null;
    this.list.clear();
    this.nextBefore = undefined;
    this.syncedThrough = null;
    this.resume = 'pending';
  }

  private emit(event: InboxEvent = { type: 'change' }): void {
    for (const listener of [...this.listeners]) listener(event);
  }
}
