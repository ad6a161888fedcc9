/**
 * The one statement that stores a batch of publications (NotificationStore.storeBatch): expand
 * recipients, claim each publication once, bump each recipient's counter once, number their
 * rows in batch order, insert them. Parameters, in order: publication ids, publishers, types,
 * titles, bodies, data (JSON text), topics, recipients' publication ordinals, recipients' user
 * ids, the job id each publication's rows are marked with, whether each is critical.
 */
/*
 * Recipients arrive as two parallel arrays (publication ordinal, user id), topics already
 * expanded: the planner then knows every row count exactly (an unnest of a bound array) and
 * hash-joins; estimated from a CTE over a fresh topic's stale statistics, it once chose nested
 * loops and took 18 s for 10,000 subscribers. No row is joined back after the insert: ids are
 * made in `numbered`, and created_at, the column's default now(), is the same for every row of
 * the statement, so it comes once per claimed publication instead of once per row.
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
  SELECT n.id, n.user_id, n.seq::int AS seq, n.unread::int AS unread, n.ord,
         NULL::timestamptz AS created_at, NULL AS job_id
  FROM numbered n
  UNION ALL
  SELECT NULL, NULL, NULL, NULL, NULL, now(), job_id FROM claimed
  ORDER BY 2, 3`;

/** A stored row (`ord`: its publication's place in the batch) or, with id null, a claim. */
export type StatementRow =
  | { id: string; user_id: string; seq: number; unread: number; ord: number }
  | { id: null; job_id: string; created_at: Date };
