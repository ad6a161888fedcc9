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
 * (recipients = -1), which also keeps a repeat of it from being stored whole.
 */
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { sqlRows } from '../database/sql';
import { PreferencesService } from './preferences/preferences.service';
import type { PublishTarget } from './notifications.jobs';
import type { NotificationContent, StoredPublication, StoredRecipient } from './notification.types';

const DEADLOCK = '40P01';
const MAX_DEADLOCK_RETRIES = 3;
/** Publications to more recipients than this are stored in parts (see above). */
export const PARTS_ABOVE = 2000;
const PART_SIZE = 1000;
const PARTS_IN_FLIGHT = 2;
/** `publications.recipients` of a publication stored in parts. */
const IN_PARTS = -1;

/*
 * Recipients arrive as two parallel arrays (publication ordinal, user id), topics already
 * expanded: the planner then knows every row count exactly (an unnest of a bound array) and
 * hash-joins; estimated from a CTE over a fresh topic's stale statistics, it once chose nested
 * loops and took 18 s for 10,000 subscribers. No row is joined back after the insert: ids are
 * made in `numbered`, and created_at, the column's default now(), is the same for every row of
 * the statement, so it comes once per claimed publication instead of once per row.
 */
const STORE_SQL = `
  WITH items AS (
      SELECT (i.ord - 1)::int AS ord, i.job_id, i.publisher_id, i.type, i.title, i.body, i.data,
             i.topic, i.row_job_id, i.critical
      FROM unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::varchar[], $5::varchar[],
                  $6::text[], $7::varchar[], $10::varchar[], $11::boolean[])
        WITH ORDINALITY AS i(job_id, publisher_id, type, title, body, data, topic, row_job_id,
                             critical, ord)),
    all_recipients AS (
      SELECT r.ord, r.user_id FROM unnest($8::int[], $9::varchar[]) AS r(ord, user_id)),
    counts AS (
      SELECT ord, count(*)::int AS n FROM all_recipients GROUP BY ord),
    claimed AS (
      INSERT INTO publications (job_id, publisher_id, recipients)
      SELECT i.job_id, i.publisher_id, coalesce(c.n, 0)
      FROM items i LEFT JOIN counts c USING (ord) ORDER BY i.job_id
      ON CONFLICT (job_id) DO NOTHING RETURNING job_id),
    recipients AS (
      SELECT a.ord, a.user_id FROM all_recipients a
      WHERE a.ord IN (SELECT i.ord FROM items i JOIN claimed USING (job_id))),
    per_user AS (
      SELECT user_id, count(*)::int AS n FROM recipients GROUP BY user_id),
    bumped AS (
      INSERT INTO notification_counters (user_id, last_seq, unread_count)
      SELECT user_id, n, n FROM per_user ORDER BY user_id
      ON CONFLICT (user_id) DO UPDATE SET
        last_seq = notification_counters.last_seq + EXCLUDED.last_seq,
        unread_count = notification_counters.unread_count + EXCLUDED.unread_count
      RETURNING user_id, last_seq, unread_count),
    numbered AS (
      SELECT gen_random_uuid() AS id, r.ord, r.user_id,
             b.last_seq - count(*) OVER u + row_number() OVER w AS seq,
             b.unread_count - count(*) OVER u + row_number() OVER w AS unread
      FROM recipients r JOIN bumped b USING (user_id)
      WINDOW u AS (PARTITION BY r.user_id), w AS (PARTITION BY r.user_id ORDER BY r.ord)),
    inserted AS (
      INSERT INTO notifications (id, user_id, seq, type, title, body, data, topic, job_id,
                                 critical)
      SELECT n.id, n.user_id, n.seq, i.type, i.title, i.body, i.data::jsonb, i.topic,
             i.row_job_id, i.critical
      FROM numbered n JOIN items i USING (ord))
  SELECT n.id, n.user_id, n.seq::int AS seq, n.unread::int AS unread, n.ord,
         NULL::timestamptz AS created_at, NULL AS job_id
  FROM numbered n
  UNION ALL
  SELECT NULL, NULL, NULL, NULL, NULL, now(), job_id FROM claimed
  ORDER BY 2, 3`;

/** One publish to store: its id (the `jobId` the API answered), who sent it, to whom, what. */
export interface PublicationInput {
  publicationId: string;
  publisherId: string;
  target: PublishTarget;
  content: NotificationContent;
  /** The recipients when already known (a topic's subscribers as resolved), else the target's. */
  recipients?: readonly string[];
}

/** A part of a publication: claimed as `publicationId`, its rows marked as `rowJobId`'s. */
interface StatementInput extends PublicationInput {
  rowJobId?: string;
}

/** A stored row (`ord`: its publication's place in the batch) or, with id null, a claim. */
type StatementRow =
  | { id: string; user_id: string; seq: number; unread: number; ord: number }
  | { id: null; job_id: string; created_at: Date };

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

  /** storeBatch for one publication. */
  async storePublication(
    publicationId: string,
    publisherId: string,
    target: PublishTarget,
    content: NotificationContent,
  ): Promise<StoredPublication> {
    const [stored] = await this.storeBatch([{ publicationId, publisherId, target, content }]);
    return stored;
  }

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
      unique.map((p) => p.publisherId),
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
      [id, publication.publisherId, IN_PARTS],
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
      critical: boolean;
    }>(
      manager,
      `SELECT n.id, n.user_id, n.seq, n.created_at, n.type, n.title, n.body, n.data, n.topic,
              n.critical, c.unread_count AS unread
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
            critical: first.critical,
          }
        : { type: '', title: '', body: '', data: {}, topic: null },
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
