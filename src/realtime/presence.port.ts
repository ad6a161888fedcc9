/**
 * Who has an open connection (WebSocket or SSE) on any instance. Web Push asks this before it
 * sends: a user with a tab open gets the notification there instead.
 */
export const PRESENCE = Symbol('PRESENCE');

export interface Presence {
  /** Those of `userIds` with at least one open connection on any live instance. */
  onlineUserIds(userIds: readonly string[]): Promise<Set<string>>;
}
