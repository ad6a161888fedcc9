import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { sqlRows } from '../database/sql';

@Injectable()
export class TopicsService {
  constructor(private readonly dataSource: DataSource) {}

  /** Subscribes the users; answers how many were not subscribed before. */
  async subscribe(topic: string, userIds: string[]): Promise<number> {
    const [row] = await sqlRows<{ added: number }>(
      this.dataSource.manager,
      `WITH added AS (
         INSERT INTO topic_subscriptions (topic, user_id)
         SELECT $1, u FROM unnest($2::varchar[]) AS u
         ON CONFLICT DO NOTHING RETURNING 1)
       SELECT count(*)::int AS added FROM added`,
      [topic, userIds],
    );
    return row.added;
  }

  async unsubscribe(topic: string, userId: string): Promise<void> {
    await sqlRows(
      this.dataSource.manager,
      `DELETE FROM topic_subscriptions WHERE topic = $1 AND user_id = $2`,
      [topic, userId],
    );
  }

  async topicsOf(userId: string): Promise<string[]> {
    const rows = await sqlRows<{ topic: string }>(
      this.dataSource.manager,
      `SELECT topic FROM topic_subscriptions WHERE user_id = $1 ORDER BY topic LIMIT 1000`,
      [userId],
    );
    return rows.map((r) => r.topic);
  }
}
