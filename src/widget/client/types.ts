/** The widget's types; the wire types are the gateway's own (src/realtime/protocol.ts). */
import type { ServerEvents } from '../../realtime/protocol';
import type { LifecycleSnapshot } from './inbox-lifecycle';

export type Notification = ServerEvents['notification'];

/** Where the widget's connection stands, as shown to the user. */
export type ConnectionStatus = 'connecting' | 'online' | 'offline' | 'unauthorized';

export interface InboxSnapshot {
  /** Newest first. */
  items: readonly Notification[];
  /** null until the server has told. */
  unread: number | null;
  status: ConnectionStatus;
  retryAt: number | null;
  /** The first page has arrived. */
  loaded: boolean;
  loading: 'first' | 'older' | null;
  hasMore: boolean;
  /** Why the last load failed (shown with a retry), or null. */
  loadError: string | null;
  /** A failed action (mark as read), shown briefly. */
  notice: string | null;
  lifecycle: LifecycleSnapshot;
}

export type InboxEvent =
  | { type: 'change' }
  /** A notification that arrived live (not a page or a replay): worth announcing. */
  | { type: 'live'; notification: Notification };
