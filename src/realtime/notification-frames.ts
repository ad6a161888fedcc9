/**
 * Serialization of notification frames. One publish to many users shares everything but id,
 * seq and userId, so the shared part is serialized once and each recipient's frame is a string
 * concatenation, never a JSON.stringify per recipient.
 */
import type { NotificationContent, NotificationView } from '../notifications/notification.types';
import { encodeFrame } from './protocol';

/** The shared fields as a JSON object text. */
export function sharedContentJson(content: NotificationContent, createdAt: string): string {
  return JSON.stringify({
    type: content.type,
    title: content.title,
    body: content.body,
    data: content.data,
    topic: content.topic,
    publisher: content.publisher,
    createdAt,
    readAt: null,
    critical: content.critical ?? false,
    archivedAt: null,
    snoozedUntil: null,
  });
}

/** `{"event":"notification","data":{...}}` for one recipient, from the shared JSON. */
export function notificationFrame(shared: string, userId: string, id: string, seq: number): string {
  return (
    `{"event":"notification","data":{"id":${JSON.stringify(id)},"seq":${seq},` +
    `"userId":${JSON.stringify(userId)},${shared.slice(1)}}`
  );
}

export function viewFrame(view: NotificationView): string {
  return encodeFrame('notification', view);
}
