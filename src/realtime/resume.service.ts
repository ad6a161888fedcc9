/**
 * The replay rule, in one place for every connection whatever carries it (`/ws` and
 * `/v1/stream`), so both give the same exactly-once, in-order stream:
 *
 * 1. `ready` goes first, with the user's unread count and last seq. Until then the
 *    connection's sequencer holds every live notification; after it, they stay held for the
 *    resume grace (ClientConnection.sendReady). Any other frame waits for `ready` too.
 * 2. A resume after `afterSeq` (the `resume` frame; on SSE the Last-Event-ID it opened with)
 *    sends every notification with a higher seq, oldest first, then `resumed {count, complete}`.
 *    Live notifications wait in the sequencer meanwhile and continue right after the replay's
 *    last seq: nothing is skipped, nothing arrives twice.
 * 3. Past RESUME_LIMIT the replay stops, `complete` is false and live delivery continues from the
 *    newest seq: the client pages the rest over REST.
 * 4. No resume (any other first frame, or the grace ran out): live delivery starts after
 *    `ready.lastSeq`.
 *
 * The gap fill of a connection's sequencer reads the inbox the same way (`gap`).
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ClientConnection } from './client-connection';
import { INBOX_PORT, type InboxPort } from './inbox.port';
import type { SequencedFrame } from './notification-sequencer';
import { viewFrame } from './notification-frames';
import { CloseCode, encodeFrame, RESUME_LIMIT } from './protocol';

@Injectable()
export class ResumeService {
  private readonly logger = new Logger(ResumeService.name);
  /** Connections with a replay running: one at a time each. */
  private readonly resuming = new WeakSet<ClientConnection>();

  constructor(@Inject(INBOX_PORT) private readonly inbox: InboxPort) {}

  /** Sends `ready` (rule 1); false, and closed with 1013, when storage cannot answer. */
  async sendReady(connection: ClientConnection): Promise<boolean> {
    try {
      const userId = connection.userId;
      const [unreadCount, lastSeq] = await Promise.all([
        this.inbox.unreadCount(userId),
        this.inbox.lastSeq(userId),
      ]);
      if (!connection.isOpen) return false;
      connection.sendReady(unreadCount, lastSeq);
      return true;
    } catch (error) {
      this.logger.warn(`ready failed: ${(error as Error).message}`);
      connection.close(CloseCode.TryAgainLater, 'storage unavailable, reconnect later');
      return false;
    }
  }

  /**
   * A connection that names its cursor when it opens (SSE): `ready`, then the replay after
   * `afterSeq`, or without one live delivery at once (a stream sends no `resume` later).
   */
  async start(connection: ClientConnection, afterSeq: number | undefined): Promise<void> {
    if (!(await this.sendReady(connection))) return;
    if (afterSeq === undefined) connection.endGrace();
    else await this.resume(connection, afterSeq);
  }

  /** Replays every notification after `afterSeq`, then `resumed` (rules 2 and 3). */
  async resume(connection: ClientConnection, afterSeq: number): Promise<void> {
    await connection.ready;
    if (this.resuming.has(connection)) {
      return connection.sendError({
        code: 'resume_in_progress',
        message: 'a resume is already running',
      });
    }
    this.resuming.add(connection);
    const before = connection.deliveredOrReadySeq;
    connection.cancelGrace(); // the hold after `ready` becomes the replay's hold
    connection.sequencer.hold(); // live frames wait until the replay is out
    try {
      const userId = connection.userId;
      const rows = await this.inbox.range(userId, afterSeq, RESUME_LIMIT + 1);
      const complete = rows.length <= RESUME_LIMIT;
      const replay = rows.slice(0, RESUME_LIMIT);
      for (const view of replay) connection.send(viewFrame(view));
      const liveAfter = await this.liveAfter(userId, afterSeq, replay.at(-1)?.seq, complete);
      connection.send(encodeFrame('resumed', { count: replay.length, complete }));
      connection.sequencer.release(liveAfter);
    } catch (error) {
      this.logger.warn(`resume failed: ${(error as Error).message}`);
      connection.sequencer.release(before);
      connection.sendError({
        code: 'unavailable',
        message: 'storage unavailable, retry the resume',
      });
    } finally {
      this.resuming.delete(connection);
    }
  }

  /** The notifications of `userId` with afterSeq < seq < beforeSeq, as frames (gap filling). */
  async gap(userId: string, afterSeq: number, beforeSeq: number): Promise<SequencedFrame[]> {
    const views = await this.inbox.range(userId, afterSeq, RESUME_LIMIT, beforeSeq);
    return views.map((view) => ({ seq: view.seq, frame: viewFrame(view) }));
  }

  /**
   * The seq the client has once the replay is out, after which live delivery continues: the
   * replay's last; with nothing replayed, `afterSeq` — or the newest seq, if the client named
   * one past it; after an incomplete replay, the newest seq (the client pages the rest).
   */
  private async liveAfter(
    userId: string,
    afterSeq: number,
    lastReplayed: number | undefined,
    complete: boolean,
  ): Promise<number> {
    if (!complete) return this.inbox.lastSeq(userId);
    if (lastReplayed !== undefined) return lastReplayed;
    return Math.min(afterSeq, await this.inbox.lastSeq(userId));
  }
}
