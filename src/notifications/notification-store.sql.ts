/**
 * The SQL of NotificationStore, and the one place that reads the `publications.recipients`
 * encoding. The invariants these statements keep (seqs, claims, parts) are stated at the top of
 * notification-store.ts.
 */
import type { RawNotification } from './lifecycle/inbox-changes';
import type { NotificationContent } from './notification.types';

/** `publications.recipients` of a publication whose parts are not all stored yet. */
const IN_PARTS = -1;

/**
 * What a `publications` row says about its publication: stored whole or with every part stored
 * (`complete`, with its recipient count), or still being stored in parts (some parts may be
 * missing; a repeat must store the missing parts, not the publication whole).
 */
export type ClaimState = { kind: 'complete'; recipients: number } | { kind: 'in-parts' };

export function claimStateOf(recipients: number): ClaimState {
  return recipients === IN_PARTS ? { kind: 'in-parts' } : { kind: 'complete', recipients };
}

/**
 * The one statement that stores a batch: expand recipients, claim each publication once, bump
 * each recipient's counter once, number their rows in batch order, insert them. Its
 * parameters are made by storeParams.
 *
 * Recipients arrive as two parallel arrays (publication ordinal, user id), topics already
 * expanded: the planner then knows every row count exactly (an unnest of a bound array) and
 * hash-joins; estimated from a CTE over a fresh topic's stale statistics it can choose nested
 * loops, which are quadratic in the recipients. No row is joined back after the insert: ids
 * are made in `numbered`, and created_at, the column's default now(), is the same for every row
 * of the statement, so it comes once per claim instead of once per row.
 *
 * It answers two kinds of row (StatementRow): each stored notification and each claim made
 * (no user: sorted last). Sorted by user id, each publication's recipients come in the order
 * LOAD_PUBLICATION_SQL answers them, so a retry pushes the same list in the same order.
 */
export const STORE_SQL = `
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
                                 publisher, critical)
      SELECT n.id, n.user_id, n.seq, i.type, i.title, i.body, i.data::jsonb, i.topic,
             i.row_job_id, i.publisher_id, i.critical
      FROM numbered n JOIN items i USING (ord))
  SELECT 'row' AS kind, n.id, n.user_id, n.seq::int AS seq, n.unread::int AS unread, n.ord,
         NULL::timestamptz AS created_at, NULL AS job_id
  FROM numbered n
  UNION ALL
  SELECT 'claim', NULL, NULL, NULL, NULL, NULL, now(), job_id FROM claimed
  ORDER BY user_id, seq`;

/** One claim of a STORE_SQL batch: the id it claims, the publication its rows belong to. */
export interface StatementClaim {
  /** The publication's id, or a part's own `<id>#<k>`. */
  claimId: string;
  publicationId: string;
  content: NotificationContent;
}

/** STORE_SQL's parameters: the claims, then each recipient as (its claim's place, user id). */
export function storeParams(
  claims: readonly StatementClaim[],
  ords: readonly number[],
  userIds: readonly string[],
): unknown[] {
  const content = <K extends keyof NotificationContent>(key: K) =>
    claims.map((c) => c.content[key]);
  return [
    claims.map((c) => c.claimId),
    content('publisher'),
    content('type'),
    content('title'),
    content('body'),
    claims.map((c) => JSON.stringify(c.content.data)),
    content('topic'),
    ords,
    userIds,
    claims.map((c) => c.publicationId),
    claims.map((c) => c.content.critical ?? false),
  ];
}

/** A row of STORE_SQL: a stored notification (`ord`: its claim's place in the batch), or a claim. */
export type StatementRow =
  | { kind: 'row'; id: string; user_id: string; seq: number; unread: number; ord: number }
  | { kind: 'claim'; job_id: string; created_at: Date };

/** Claims a publication to be stored in parts ($1 id, $2 publisher); no row if claimed before. */
export const CLAIM_IN_PARTS_SQL = `
  INSERT INTO publications (job_id, publisher_id, recipients) VALUES ($1, $2, ${IN_PARTS})
  ON CONFLICT (job_id) DO NOTHING RETURNING job_id`;

/** `{ recipients }` of publication $1 (read with claimStateOf). */
export const CLAIM_STATE_SQL = 'SELECT recipients FROM publications WHERE job_id = $1';

/**
 * Marks publication $1 complete with $2 recipients, once every part is stored: a repeat then
 * loads its rows whole instead of splitting a list again.
 */
export const COMPLETE_PARTS_SQL = `
  UPDATE publications SET recipients = $2 WHERE job_id = $1 AND recipients = ${IN_PARTS}`;

/** Drops the frozen recipients of publication $1 (PublicationSnapshots): no repeat splits them. */
export const DROP_SNAPSHOT_SQL = 'DELETE FROM publication_snapshots WHERE publication_id = $1';

/**
 * Freezes topic $2's subscribers for publication $1 unless it is stored complete (a publication
 * in parts keeps the snapshot it has, ON CONFLICT; one stored complete gets none).
 */
export const FREEZE_SNAPSHOT_SQL = `
  INSERT INTO publication_snapshots (publication_id, topic, recipients)
  SELECT $1::varchar, $2::varchar, coalesce(array_agg(user_id ORDER BY user_id), '{}')
  FROM topic_subscriptions WHERE topic = $2::varchar
  HAVING NOT EXISTS (
    SELECT 1 FROM publications WHERE job_id = $1::varchar AND recipients <> ${IN_PARTS})
  ON CONFLICT (publication_id) DO NOTHING`;

/** The current subscribers of topics $1, as `{ topic, user_id }`. */
export const SUBSCRIBERS_SQL =
  'SELECT topic, user_id FROM topic_subscriptions WHERE topic = ANY($1::varchar[])';

/** Every row stored for publication $1, in user order, with each user's unread count now. */
export const LOAD_PUBLICATION_SQL = `
  SELECT n.id, n.user_id, n.seq, n.created_at, n.type, n.title, n.body, n.data, n.topic,
         n.publisher, n.critical, c.unread_count AS unread
  FROM notifications n JOIN notification_counters c USING (user_id)
  WHERE n.job_id = $1 ORDER BY n.user_id`;

/** A row of LOAD_PUBLICATION_SQL. */
export type LoadedRow = Pick<RawNotification, Exclude<keyof RawNotification, Unloaded>> & {
  unread: number;
};
type Unloaded = 'read_at' | 'archived_at' | 'snoozed_until';
