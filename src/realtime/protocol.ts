/**
 * The WebSocket wire protocol (API.md, "WebSocket"): one typed map of events per direction,
 * shared by the gateway, the tests and the browser widget. Every frame is JSON
 * `{ "event": string, "data": any }`.
 */
import type { NotificationView } from '../notifications/notification.types';
import type { PreferencesDocument } from '../notifications/preferences/preferences.types';

export const WS_PATH = '/ws';
export const WS_SUBPROTOCOL = 'herald.v1';
export const WS_BEARER_PREFIX = 'bearer.';

export interface ServerEvents {
  ready: { userId: string; unreadCount: number; lastSeq: number };
  notification: NotificationView;
  unread: { count: number };
  /** `all: true` (an extension) when every unread notification of the user was marked read. */
  read: { ids: string[]; readAt: string; all?: boolean };
  resumed: { count: number; complete: boolean };
  pong: Record<string, never>;
  /** `retryAfterMs` (an extension) with `rate_limited`: when the frame would be accepted. */
  error: { code: ErrorCode; message: string; retryAfterMs?: number };
  // Inbox lifecycle (API.md): each change of any of the user's devices, to all of them.
  /** `all: true` (an extension) for archive-all; `ids` is then empty past 500 rows. */
  archived: { ids: string[]; archivedAt: string; all?: boolean };
  unarchived: { ids: string[]; all?: boolean };
  deleted: { ids: string[]; all?: boolean };
  snoozed: { ids: string[]; until: string };
  /** A snooze ended, by its time or by the user; the notification as it is now. */
  unsnoozed: { notification: NotificationView };
  preferences: PreferencesDocument;
}

export interface ClientEvents {
  resume: { afterSeq: number };
  read: { ids: string[] };
  'read.all': Record<string, never>;
  ping: Record<string, never>;
}

export type ServerEventName = keyof ServerEvents;
export type ClientEventName = keyof ClientEvents;

export interface Frame<E extends ServerEventName = ServerEventName> {
  event: E;
  data: ServerEvents[E];
}

export type ErrorCode =
  | 'bad_frame'
  | 'unknown_event'
  | 'invalid_data'
  | 'resume_in_progress'
  | 'unavailable'
  | 'rate_limited'
  | 'internal';

export const CloseCode = {
  GoingAway: 1001,
  Policy: 1008,
  TooBig: 1009,
  InternalError: 1011,
  TryAgainLater: 1013,
  TokenExpired: 4401,
} as const;

/** The most notifications one `resume` replays; past it `resumed.complete` is false. */
export const RESUME_LIMIT = 1000;

export function encodeFrame<E extends ServerEventName>(event: E, data: ServerEvents[E]): string {
  return JSON.stringify({ event, data });
}
