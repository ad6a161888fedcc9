/** What the rest of the app uses to push to per-user groups (`group_send` in Channels terms). */
import { Injectable } from '@nestjs/common';
import type { StoredPublication } from '../notifications/notification.types';
import { sharedContentJson } from './notification-frames';
import { encodeFrame, type ServerEventName, type ServerEvents } from './protocol';
import { RealtimeBus, type NotificationsMessage } from './realtime.bus';

/** Recipients per bus message: keeps one message, and each instance's work on it, moderate. */
const RECIPIENTS_PER_MESSAGE = 2000;

@Injectable()
export class RealtimePublisher {
  constructor(private readonly bus: RealtimeBus) {}

  /** Every publication's rows to their recipients' groups, in one round trip to Redis. */
  async publishNotifications(publications: readonly StoredPublication[]): Promise<void> {
    const messages: NotificationsMessage[] = [];
    for (const publication of publications) {
      const shared = sharedContentJson(publication.content, publication.createdAt);
      const storedAt = Date.parse(publication.createdAt);
      for (let i = 0; i < publication.recipients.length; i += RECIPIENTS_PER_MESSAGE) {
        const chunk = publication.recipients.slice(i, i + RECIPIENTS_PER_MESSAGE);
        messages.push({
          k: 'n',
          c: shared,
          t: storedAt,
          r: chunk.map((r) => [r.userId, r.id, r.seq, r.unread]),
        });
      }
    }
    await this.bus.publishAll(messages);
  }

  async sendToUser<E extends ServerEventName>(
    userId: string,
    event: E,
    data: ServerEvents[E],
  ): Promise<void> {
    await this.bus.publish({ k: 'f', u: [userId], f: encodeFrame(event, data) });
  }
}
