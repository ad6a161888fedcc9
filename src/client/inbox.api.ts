/** The caller's inbox (a user token): list with views and filters, read state, lifecycle. */
import { path, type HttpTransport } from './http-transport';
import type { DeleteView, InboxPage, InboxQuery, NotificationView, Updated } from './types';

const BASE = '/v1/notifications';

export class InboxApi {
  constructor(private readonly http: HttpTransport) {}

  /** A page, newest first (with `after`: newer than that seq, oldest first). */
  list(query: InboxQuery = {}): Promise<InboxPage> {
    return this.http.call('GET', BASE, { query: { ...query } });
  }

  async unreadCount(): Promise<number> {
    return (await this.http.call<{ count: number }>('GET', `${BASE}/unread-count`)).count;
  }

  /** The distinct types of the caller's notifications (for a settings page). */
  async types(): Promise<string[]> {
    return (await this.http.call<{ types: string[] }>('GET', '/v1/me/notification-types')).types;
  }

  read(id: string): Promise<NotificationView> {
    return this.http.call('POST', path`/v1/notifications/${id}/read`);
  }

  readMany(ids: string[]): Promise<Updated> {
    return this.http.call('POST', `${BASE}/read`, { body: { ids } });
  }

  readAll(): Promise<Updated> {
    return this.http.call('POST', `${BASE}/read-all`);
  }

  /** Archives it (and marks it read); answers the notification as it now is. */
  archive(id: string): Promise<NotificationView> {
    return this.http.call('POST', path`/v1/notifications/${id}/archive`);
  }

  archiveMany(ids: string[]): Promise<Updated> {
    return this.http.call('POST', `${BASE}/archive`, { body: { ids } });
  }

  archiveAll(): Promise<Updated> {
    return this.http.call('POST', `${BASE}/archive-all`);
  }

  unarchive(id: string): Promise<NotificationView> {
    return this.http.call('POST', path`/v1/notifications/${id}/unarchive`);
  }

  unarchiveMany(ids: string[]): Promise<Updated> {
    return this.http.call('POST', `${BASE}/unarchive`, { body: { ids } });
  }

  unarchiveAll(): Promise<Updated> {
    return this.http.call('POST', `${BASE}/unarchive-all`);
  }

  /** Gone for good (204); a HeraldError 404 when it is not the caller's. */
  async delete(id: string): Promise<void> {
    await this.http.call('DELETE', path`/v1/notifications/${id}`);
  }

  deleteMany(ids: string[]): Promise<Updated> {
    return this.http.call('POST', `${BASE}/delete`, { body: { ids } });
  }

  /** Empties one view (named explicitly: a deletion is for good). */
  deleteAll(view: DeleteView): Promise<Updated> {
    return this.http.call('POST', `${BASE}/delete-all`, { body: { view } });
  }

  /** Out of the inbox and the count until `until` (1 minute – 90 days ahead), then back unread. */
  snooze(id: string, until: Date | string): Promise<NotificationView> {
    const at = typeof until === 'string' ? until : until.toISOString();
    return this.http.call('POST', path`/v1/notifications/${id}/snooze`, { body: { until: at } });
  }

  /** Ends a snooze now. */
  unsnooze(id: string): Promise<NotificationView> {
    return this.http.call('DELETE', path`/v1/notifications/${id}/snooze`);
  }
}
