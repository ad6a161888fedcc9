/** What the rest of the app uses to push to per-user groups (`group_send` in Channels terms). */
import { Injectable } from '@nestjs/common';
import type { StoredPublication } from '../notifications/notification.types';
import { sharedContentJson } from './notification-frames';
import { encodeFrame, type ServerEventName, type ServerEvents } from './protocol';
import { RealtimeBus } from './realtime.bus';

/** Recipients per bus message: keeps one message, and each instance's work on it, moderate. */
const RECIPIENTS_PER_MESSAGE = 2000;

@Injectable()
export class RealtimePublisher {
  constructor(private readonly bus: RealtimeBus) {}

  async publishNotifications(publication: StoredPublication): Promise<void> {
    const shared = sharedContentJson(publication.content, publication.createdAt);
    const storedAt = Date.parse(publication.createdAt);
    const sends: Promise<void>[] = [];
    for (let i = 0; i < publication.recipients.length; i += RECIPIENTS_PER_MESSAGE) {
      const chunk = publication.recipients.slice(i, i + RECIPIENTS_PER_MESSAGE);
      sends.push(
        this.bus.publish({
          k: 'n',
          c: shared,
          t: storedAt,
          r: chunk.map((r) => [r.userId, r.id, r.seq, r.unread]),
        }),
      );
    }
    await Promise.all(sends);
  }

  async sendToUser<E extends ServerEventName>(
    userId: string,
    event: E,
    data: ServerEvents[E],
  ): Promise<void> {
    await this.bus.publish({ k: 'f', u: [userId], f: encodeFrame(event, data) });
  }
}
