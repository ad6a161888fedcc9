/**
 * Pushes a committed change of a user's inbox (read, archived, snoozed, ...) to every socket of
 * the user, then the new unread count when it moved. The change is already committed, so a push
 * that fails (Redis away) is logged, not turned into an error: the next `ready` and the REST
 * views carry the state.
 */
import { Injectable, Logger } from '@nestjs/common';
import type { ServerEventName, ServerEvents } from '../realtime/protocol';
import { RealtimePublisher } from '../realtime/realtime.publisher';

/** ids listed in the event of an "all" change (read-all, archive-all, ...); past it only `all`. */
export const IDS_IN_EVENT = 500;

@Injectable()
export class InboxPush {
  private readonly logger = new Logger(InboxPush.name);

  constructor(private readonly realtime: RealtimePublisher) {}

  /** `unread`: the count after the change, or null when it did not move (then no `unread`). */
  async changed<E extends ServerEventName>(
    userId: string,
    event: E,
    data: ServerEvents[E],
    unread: number | null,
  ): Promise<void> {
    try {
      await this.realtime.sendToUser(userId, event, data);
      if (unread !== null) await this.realtime.sendToUser(userId, 'unread', { count: unread });
    } catch (error) {
      this.logger.warn(`${event} for a user not pushed: ${(error as Error).message}`);
    }
  }
}
