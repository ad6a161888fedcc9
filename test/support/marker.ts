/**
 * "Nothing else arrived", shown without sleeping: a marker notification published after the
 * thing that must not happen, awaited on the user's socket.
 *
 * Seqs are dense per user and a socket delivers them in seq order (a missing one is fetched
 * from Postgres after the gap timeout), so whatever was stored for the user before the marker
 * reaches the socket before it, pushed or not; a duplicate frame offered before the marker's
 * is emitted before it too. The caller must first wait for the outcome that would have stored
 * the unwanted notification (a job's completion, another recipient's copy), then asserts on
 * `before` and on `marker.seq` (one more than the notifications the user has).
 */
import { randomUUID } from 'node:crypto';
import type { NotificationView } from '../../src/notifications/notification.types';
import { eventually } from './test-app';
import { serviceToken } from './tokens';

/** A socket that records its frames, such as the client's HeraldSocket. */
export interface RecordingSocket {
  all(event: 'notification'): NotificationView[];
}

export interface ThroughMarker {
  /** Every notification the socket received before the marker, in order. */
  before: NotificationView[];
  marker: NotificationView;
}

export async function throughMarker(
  socket: RecordingSocket,
  baseUrl: string,
  userId: string,
  timeoutMs = 5000,
): Promise<ThroughMarker> {
  const title = `marker ${randomUUID()}`;
  const response = await fetch(`${baseUrl}/v1/notifications`, {
    method: 'POST',
    headers: { authorization: `Bearer ${serviceToken()}`, 'content-type': 'application/json' },
    body: JSON.stringify({ userIds: [userId], type: 'test.marker', title }),
  });
  if (response.status !== 202) {
    throw new Error(`marker publish: HTTP ${response.status} ${await response.text()}`);
  }
  const index = await eventually(
    () => {
      const at = socket.all('notification').findIndex((n) => n.title === title);
      return at >= 0 ? at + 1 : null; // + 1: index 0 is a valid answer
    },
    timeoutMs,
    `the marker to reach ${userId}`,
  );
  const received = socket.all('notification');
  return { before: received.slice(0, index - 1), marker: received[index - 1] };
}
