/**
 * Preferences in SQL: one `notification_preferences` row per user who has set any (the channel
 * switches) and one `notification_preference_rules` row per (user, type pattern). A user
 * without a row has every channel on.
 */
import { BadRequestException, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { sqlRows } from '../../database/sql';
import { candidatePatterns, MAX_RULES_PER_USER } from './preference-patterns';
import type {
  Channel,
  ChannelSwitches,
  PreferencesDocument,
  PreferencesPatch,
} from './preferences.types';

const COLUMN: Record<Channel, 'in_app' | 'push'> = { inApp: 'in_app', push: 'push' };

/**
 * Which recipients (1-based positions k in the arrays) have `channel` off for their
 * publication's type: the most specific rule that sets the channel decides, else the user's
 * channel switch. One statement for a whole batch; recipients without preferences drop out at
 * the first join, so the answer (the muted ones) is usually empty.
 */
const mutedSql = (column: 'in_app' | 'push') => `
  WITH r AS (
      SELECT r.ord, r.user_id, r.k
      FROM unnest($1::int[], $2::varchar[]) WITH ORDINALITY AS r(ord, user_id, k)),
    c AS (SELECT * FROM unnest($3::int[], $4::varchar[], $5::int[]) AS c(ord, pattern, rank)),
    p AS (
      SELECT r.k, r.ord, r.user_id, p.${column} AS switch
      FROM r JOIN notification_preferences p ON p.user_id = r.user_id),
    matched AS (
      SELECT DISTINCT ON (p.k) p.k, rule.${column} AS switch
      FROM p JOIN c ON c.ord = p.ord
      JOIN notification_preference_rules rule
        ON rule.user_id = p.user_id AND rule.pattern = c.pattern
      WHERE rule.${column} IS NOT NULL
      ORDER BY p.k, c.rank)
  SELECT p.k::int AS k FROM p LEFT JOIN matched m USING (k)
  WHERE NOT coalesce(m.switch, p.switch)`;

@Injectable()
export class PreferencesStore {
  constructor(private readonly dataSource: DataSource) {}

  async get(userId: string): Promise<PreferencesDocument> {
    const manager = this.dataSource.manager;
    const [channels] = await sqlRows<{ in_app: boolean; push: boolean }>(
      manager,
      'SELECT in_app, push FROM notification_preferences WHERE user_id = $1',
      [userId],
    );
    const rules = await sqlRows<{ pattern: string; in_app: boolean | null; push: boolean | null }>(
      manager,
      `SELECT pattern, in_app, push FROM notification_preference_rules
       WHERE user_id = $1 ORDER BY pattern`,
      [userId],
    );
    const types: Record<string, ChannelSwitches> = {};
    for (const rule of rules) {
      const switches: ChannelSwitches = {};
      if (rule.in_app !== null) switches.inApp = rule.in_app;
      if (rule.push !== null) switches.push = rule.push;
      types[rule.pattern] = switches;
    }
    return {
      channels: { inApp: channels?.in_app ?? true, push: channels?.push ?? true },
      types,
    };
  }

  /**
   * The distinct types of the user's notifications, at most `limit`: a loose index scan over
   * (user_id, type, seq), one index probe per type, however many rows the user holds.
   */
  async receivedTypes(userId: string, limit: number): Promise<string[]> {
    const rows = await sqlRows<{ type: string }>(
      this.dataSource.manager,
      `WITH RECURSIVE t AS (
         (SELECT type FROM notifications WHERE user_id = $1 ORDER BY type LIMIT 1)
         UNION ALL
         SELECT (SELECT n.type FROM notifications n WHERE n.user_id = $1 AND n.type > t.type
                 ORDER BY n.type LIMIT 1)
         FROM t WHERE t.type IS NOT NULL)
       SELECT type FROM t WHERE type IS NOT NULL LIMIT $2`,
      [userId, limit],
    );
    return rows.map((row) => row.type);
  }

  /** Merges the patch in one transaction; more than MAX_RULES_PER_USER rules → 400, no change. */
  async patch(userId: string, patch: PreferencesPatch): Promise<PreferencesDocument> {
    await this.dataSource.transaction(async (manager) => {
      await sqlRows(
        manager,
        `INSERT INTO notification_preferences (user_id, in_app, push)
         VALUES ($1, coalesce($2, true), coalesce($3, true))
         ON CONFLICT (user_id) DO UPDATE SET
           in_app = coalesce($2, notification_preferences.in_app),
           push = coalesce($3, notification_preferences.push), updated_at = now()`,
        [userId, patch.channels?.inApp ?? null, patch.channels?.push ?? null],
      );
      const entries = Object.entries(patch.types ?? {});
      const removed = entries.filter(([, value]) => value === null).map(([pattern]) => pattern);
      const set = entries.filter((entry): entry is [string, ChannelSwitches] => entry[1] !== null);
      if (removed.length) {
        await sqlRows(
          manager,
          'DELETE FROM notification_preference_rules WHERE user_id = $1 AND pattern = ANY($2)',
          [userId, removed],
        );
      }
      if (set.length) {
        await sqlRows(
          manager,
          `INSERT INTO notification_preference_rules (user_id, pattern, in_app, push)
           SELECT $1, * FROM unnest($2::varchar[], $3::boolean[], $4::boolean[])
           ON CONFLICT (user_id, pattern) DO UPDATE SET
             in_app = coalesce(EXCLUDED.in_app, notification_preference_rules.in_app),
             push = coalesce(EXCLUDED.push, notification_preference_rules.push)`,
          [
            userId,
            set.map(([pattern]) => pattern),
            set.map(([, s]) => s.inApp ?? null),
            set.map(([, s]) => s.push ?? null),
          ],
        );
        const [{ n }] = await sqlRows<{ n: number }>(
          manager,
          'SELECT count(*)::int AS n FROM notification_preference_rules WHERE user_id = $1',
          [userId],
        );
        if (n > MAX_RULES_PER_USER) {
          throw new BadRequestException([
            `types: at most ${MAX_RULES_PER_USER} type patterns per user, this would make ${n}`,
          ]);
        }
      }
    });
    return this.get(userId);
  }

  /**
   * Positions (0-based) of the recipients whose preferences turn `channel` off for the type of
   * their publication. `ords[i]`/`userIds[i]` is a recipient of `types[ords[i]]`.
   */
  async muted(
    channel: Channel,
    types: readonly string[],
    ords: readonly number[],
    userIds: readonly string[],
  ): Promise<Set<number>> {
    if (userIds.length === 0) return new Set();
    const candidateOrds: number[] = [];
    const patterns: string[] = [];
    const ranks: number[] = [];
    types.forEach((type, ord) =>
      candidatePatterns(type).forEach((pattern, rank) => {
        candidateOrds.push(ord);
        patterns.push(pattern);
        ranks.push(rank);
      }),
    );
    const rows = await sqlRows<{ k: number }>(this.dataSource.manager, mutedSql(COLUMN[channel]), [
      ords,
      userIds,
      candidateOrds,
      patterns,
      ranks,
    ]);
    return new Set(rows.map((row) => row.k - 1));
  }
}
