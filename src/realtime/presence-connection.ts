/** What presence (presence.service.ts) needs of a connection, whatever its transport. */
export interface PresenceConnection {
  readonly userId: string;
  /** Unique among this instance's connections (`nextConnectionId` gives one). */
  readonly connectionId: string;
}

let connectionCounter = 0;

/** A connection id unique in this process, and so on this instance. */
export function nextConnectionId(): string {
  connectionCounter += 1;
  return connectionCounter.toString(36);
}
