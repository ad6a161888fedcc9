/**
 * Storage of published notifications, in set-based SQL: a publish to 10,000 users, or a batch
 * of hundreds of publishes, is one statement, not one of anything per row.
 *
 * Seq assignment: each recipient's counter row in `notification_counters` is bumped by an
 * upsert (by as many notifications as the batch holds for that user), which holds that row's
 * lock until the transaction commits. A second transaction for the same user waits for the
 * first to commit before it gets the next seqs, so per user, seq order is commit order and seqs
 * are dense: a client that saw seq N can never later miss a row < N. Within a batch a user's
 * seqs follow the batch's order (the order the publishes were accepted). Counters and claims
 * are locked in sorted order, so two concurrent batches cannot deadlock.
 *
 * A large publication (over PARTS_ABOVE recipients) is stored in parts of PART_SIZE, each its
 * own statement, and each part is pushed as soon as it commits, so the first sockets get it
 * after one part's insert instead of all 10,000, and Postgres inserts the next part while this
 * process writes to sockets. Each recipient is in exactly one part and each part is claimed
 * once (`<id>#<k>`), so it is still stored exactly once; its `publications` row says "in parts"
 * (recipients = IN_PARTS), which also keeps a repeat of it from being stored whole, until every
 * part is stored: then it holds the count, and a repeat loads the rows instead of splitting.
 *
 * The statement itself is in notification-store.sql.ts; what is left here (claims, batches,
 * parts, reloading) shares the invariants above, hence one file of a little over 250 lines.
 */
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { sqlRows } from '../database/sql';
import { STORE_SQL, type StatementRow } from './notification-store.sql';
import { PreferencesService } from './preferences/preferences.service';
import type { PublishTarget } from './notifications.jobs';
import type { NotificationContent, StoredPublication, StoredRecipient } from './notification.types';

const DEADLOCK = '40P01';
const MAX_DEADLOCK_RETRIES = 3;
/** Publications to more recipients than this are stored in parts (see above). */
export const PARTS_ABOVE = 2000;
const PART_SIZE = 1000;
const PARTS_IN_FLIGHT = 2;
/** `publications.recipients` of a publication being stored in parts (its count once complete). */
export const IN_PARTS = -1;

/** One publish to store: its id (the `jobId` the API answered), to whom, what (and who sent it). */
export interface PublicationInput {
  publicationId: string;
  target: PublishTarget;
  content: NotificationContent;
  /** The recipients when already known (a topic's subscribers as resolved), else the target's. */
  recipients?: readonly string[];
}

/** A part of a publication: claimed as `publicationId`, its rows marked as `rowJobId`'s. */
interface StatementInput extends PublicationInput {
  rowJobId?: string;
}

interface InsertedRow {
  id: string;
  user_id: string;
  seq: number;
  unread: number;
}

@Injectable()
export class NotificationStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly preferences: PreferencesService,
  ) {}

  /**
   * Stores one row per recipient for each publication, once, in one statement (so one
   * transaction and one round trip). A publication that was already stored (a retried job, a
   * stalled job run twice, a repeated idempotency key) gets `created: false` and the rows it
   * stored before, and nothing new is written. Answers in input order; a publication id given
   * twice is stored once and answered twice.
   */
  async storeBatch(publications: StatementInput[]): Promise<StoredPublication[]> {
    const unique = [...new Map(publications.map((p) => [p.publicationId, p])).values()];
    const results = new Map<string, StoredPublication>();
    const { grouped, claimed, muted } = await this.insertOnce(unique);
    let mutedStored = 0;
    for (const [ord, p] of unique.entries()) {
      const createdAt = claimed.get(p.publicationId);
      if (!createdAt) {
        // A part stored before has no rows under its own id: storeInParts reloads them all.
        const before = p.rowJobId
          ? {
              created: false,
              createdAt: new Date().toISOString(),
              content: p.content,
              recipients: [],
            }
          : await this.loadPublication(this.dataSource.manager, p.publicationId);
        results.set(p.publicationId, before);
        continue;
      }
      const own = grouped.get(ord) ?? [];
      mutedStored += muted.get(ord) ?? 0;
      results.set(p.publicationId, {
        created: true,
        createdAt: createdAt.toISOString(),
        content: p.content,
        recipients: own.map(toRecipient),
        muted: muted.get(ord) ?? 0,
      });
    }
    this.preferences.countMutedInApp(mutedStored);
    return publications.map((p) => results.get(p.publicationId) as StoredPublication);
  }

  /**
   * The one statement: expand recipients (listed, or a topic's current subscribers), claim each
   * publication's `publications` row (skipping those already claimed), bump each recipient's
   * counter once by their count in the batch, number their rows in batch order, insert them.
   * Answers the inserted rows and which publications it claimed.
   */
  private async insertOnce(unique: StatementInput[]): Promise<{
    grouped: Map<number, InsertedRow[]>;
    claimed: Map<string, Date>;
    muted: Map<number, number>;
  }> {
    const subscribers = await this.subscribersOf(unique.filter((p) => !p.recipients));
    const ords: number[] = [];
    const userIds: string[] = [];
    unique.forEach((publication, ord) => {
      const target = publication.target;
      const listed =
        publication.recipients ??
        ('userIds' in target ? target.userIds : (subscribers.get(target.topic) ?? []));
      for (const userId of new Set(listed)) {
        ords.push(ord);
        userIds.push(userId);
      }
    });
    // Preferences: recipients muting the type in-app get no row, seq or count (one lookup).
    const muted = await this.preferences.dropMutedInApp(
      unique.map((p) => p.content),
      ords,
      userIds,
    );
    const content = <K extends keyof NotificationContent>(key: K) =>
      unique.map((p) => p.content[key]);
    const params = [
      unique.map((p) => p.publicationId),
      content('publisher'),
      content('type'),
      content('title'),
      content('body'),
      unique.map((p) => JSON.stringify(p.content.data)),
      content('topic'),
      ords,
      userIds,
      unique.map((p) => p.rowJobId ?? p.publicationId),
      unique.map((p) => p.content.critical ?? false),
    ];
    for (let attempt = 0; ; attempt++) {
      try {
        const rows = await sqlRows<StatementRow>(this.dataSource.manager, STORE_SQL, params);
        const grouped = new Map<number, InsertedRow[]>();
        const claimed = new Map<string, Date>();
        for (const row of rows) {
          if (row.id === null) {
            claimed.set(row.job_id, row.created_at);
            continue;
          }
          const own = grouped.get(row.ord);
          if (own) own.push(row);
          else grouped.set(row.ord, [row]);
        }
        return { grouped, claimed, muted };
      } catch (error) {
        if ((error as { code?: string }).code !== DEADLOCK || attempt >= MAX_DEADLOCK_RETRIES) {
          throw error;
        }
      }
    }
  }

  /**
   * Stores a large publication in parts, handing each part to `onPart` as soon as it is
   * committed (see the top of this file). If it was stored before, whole or some of its parts,
   * `onPart` also gets what was stored before (created: false), for pushing again.
   */
  async storeInParts(
    publication: PublicationInput,
    recipients: readonly string[],
    onPart: (part: StoredPublication) => void,
  ): Promise<void> {
    const id = publication.publicationId;
    const manager = this.dataSource.manager;
    const [claim] = await sqlRows<{ job_id: string }>(
      manager,
      `INSERT INTO publications (job_id, publisher_id, recipients) VALUES ($1, $2, $3)
       ON CONFLICT (job_id) DO NOTHING RETURNING job_id`,
      [id, publication.content.publisher, IN_PARTS],
    );
    if (!claim) {
      const [row] = await sqlRows<{ recipients: number }>(
        manager,
        'SELECT recipients FROM publications WHERE job_id = $1',
        [id],
      );
      if (row && row.recipients !== IN_PARTS) {
        onPart(await this.loadPublication(manager, id)); // stored whole by an earlier run
        return;
      }
    }
    const sorted = [...new Set(recipients)].sort();
    const count = Math.ceil(sorted.length / PART_SIZE);
    let next = 0;
    let skipped = false;
    // Parts hold disjoint users, so they can commit in any order: PARTS_IN_FLIGHT at a time.
    const worker = async () => {
      for (let k = next++; k < count; k = next++) {
        const [part] = await this.storeBatch([
          {
            ...publication,
            publicationId: `${id}#${k}`,
            rowJobId: id,
            recipients: sorted.slice(k * PART_SIZE, (k + 1) * PART_SIZE),
          },
        ]);
        if (part.created) onPart(part);
        else skipped = true;
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARTS_IN_FLIGHT, count) }, worker));
    if (skipped) onPart(await this.loadPublication(manager, id));
    // Every part is stored: from now on a repeat loads the rows whole instead of splitting a
    // list again, so the frozen recipients (PublicationSnapshots) are no longer needed.
    await this.dataSource.transaction(async (tx) => {
      await sqlRows(
        tx,
        'UPDATE publications SET recipients = $2 WHERE job_id = $1 AND recipients = $3',
        [id, sorted.length, IN_PARTS],
      );
      await sqlRows(tx, 'DELETE FROM publication_snapshots WHERE publication_id = $1', [id]);
    });
  }

  /** Current subscribers of the topics the batch publishes to (one query, none if no topic). */
  async subscribersOf(publications: PublicationInput[]): Promise<Map<string, string[]>> {
    const topics = [
      ...new Set(publications.flatMap((p) => ('topic' in p.target ? [p.target.topic] : []))),
    ];
    const subscribers = new Map<string, string[]>(topics.map((topic) => [topic, []]));
    if (topics.length === 0) return subscribers;
    const rows = await sqlRows<{ topic: string; user_id: string }>(
      this.dataSource.manager,
      'SELECT topic, user_id FROM topic_subscriptions WHERE topic = ANY($1::varchar[])',
      [topics],
    );
    for (const row of rows) subscribers.get(row.topic)?.push(row.user_id);
    return subscribers;
  }

  private async loadPublication(manager: EntityManager, jobId: string): Promise<StoredPublication> {
    const rows = await sqlRows<{
      id: string;
      user_id: string;
      seq: number;
      created_at: Date;
      unread: number;
      type: string;
      title: string;
      body: string;
      data: Record<string, unknown>;
      topic: string | null;
      publisher: string;
      critical: boolean;
    }>(
      manager,
      `SELECT n.id, n.user_id, n.seq, n.created_at, n.type, n.title, n.body, n.data, n.topic,
              n.publisher, n.critical, c.unread_count AS unread
       FROM notifications n JOIN notification_counters c USING (user_id)
       WHERE n.job_id = $1 ORDER BY n.user_id`,
      [jobId],
    );
    const first = rows[0];
    return {
      created: false,
      createdAt: (first?.created_at ?? new Date()).toISOString(),
      content: first
        ? {
            type: first.type,
            title: first.title,
            body: first.body,
            data: first.data,
            topic: first.topic,
            publisher: first.publisher,
            critical: first.critical,
          }
        : { type: '', title: '', body: '', data: {}, topic: null, publisher: '' },
      recipients: rows.map(toRecipient),
    };
  }
}

function toRecipient(row: {
  id: string;
  user_id: string;
  seq: number;
  unread: number;
}): StoredRecipient {
  return { id: row.id, userId: row.user_id, seq: row.seq, unread: row.unread };
}
