/**
 * Topics and their subscribers. Who may subscribe: a service anyone (creating the topic), a user
 * only themselves and only to a topic a service opened (`selfSubscribe`); unsubscribing is
 * always allowed. Fan-out caps: a topic has at most TOPIC_MAX_SUBSCRIBERS subscribers and a user
 * at most USER_MAX_TOPICS topics. Both counts are counter rows (`topics.subscribers`,
 * `user_topic_counts`) changed in the subscribing transaction: the topic's row is locked first,
 * then the users' counters in sorted order (so two transactions cannot deadlock), and a change
 * that would take either past its cap rolls back whole. The caps are therefore exact across
 * instances, and a publish can read a topic's size without counting.
 */
import { ConflictException, ForbiddenException, Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { isUnavailableError } from '../http/unavailable';
import { sqlRows } from '../database/sql';
import { withTimeout } from '../queues/with-timeout';

export interface TopicView {
  topic: string;
  selfSubscribe: boolean;
  subscribers: number;
}

/** Users named in a cap error, at most. */
const NAMED_USERS = 5;
/**
 * A publish waits this long at most for its topics' sizes: its answer is due within a second
 * (API.md, Overload), and the accept deadline (PUBLISH_ACCEPT_TIMEOUT_MS) comes after it.
 */
const SIZES_TIMEOUT_MS = 250;

class SizesTimeout extends Error {}

@Injectable()
export class TopicsService {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Creates the topic or changes whether users may subscribe themselves. */
  async setTopic(topic: string, selfSubscribe: boolean): Promise<TopicView> {
    const [row] = await sqlRows<TopicRow>(
      this.dataSource.manager,
      `INSERT INTO topics (topic, self_subscribe) VALUES ($1, $2)
       ON CONFLICT (topic) DO UPDATE SET self_subscribe = EXCLUDED.self_subscribe, updated_at = now()
       RETURNING topic, self_subscribe, subscribers`,
      [topic, selfSubscribe],
    );
    return toView(row);
  }

  /** The topic, or null when it does not exist. */
  async find(topic: string): Promise<TopicView | null> {
    const [row] = await sqlRows<TopicRow>(
      this.dataSource.manager,
      'SELECT topic, self_subscribe, subscribers FROM topics WHERE topic = $1',
      [topic],
    );
    return row ? toView(row) : null;
  }

  /**
   * Subscribers of each topic, for a publish's recipient budget (`exact`). With Postgres
   * unreachable, or not answering within SIZES_TIMEOUT_MS (a busy pool, a hung server), each
   * topic's cap instead (an upper bound, `exact: false`), so that a publish that fits even so
   * is still accepted, promptly, while Postgres is away or slow, like any other publish.
   */
  async sizesOf(
    topics: readonly string[],
  ): Promise<{ sizes: Map<string, number>; exact: boolean }> {
    const unique = [...new Set(topics)];
    if (unique.length === 0) return { sizes: new Map(), exact: true };
    try {
      const rows = await withTimeout(
        sqlRows<{ topic: string; subscribers: number }>(
          this.dataSource.manager,
          'SELECT topic, subscribers FROM topics WHERE topic = ANY($1::varchar[])',
          [unique],
        ),
        SIZES_TIMEOUT_MS,
        () => new SizesTimeout(),
      );
      return { sizes: new Map(rows.map((row) => [row.topic, row.subscribers])), exact: true };
    } catch (error) {
      if (!(error instanceof SizesTimeout) && !isUnavailableError(error)) throw error;
      const cap = this.config.topics.maxSubscribers;
      return { sizes: new Map(unique.map((topic) => [topic, cap])), exact: false };
    }
  }

  /** A service subscribes users (the topic is created if new); answers how many were new. */
  async subscribe(topic: string, userIds: string[]): Promise<number> {
    return this.dataSource.transaction(async (tx) => {
      await sqlRows(tx, 'INSERT INTO topics (topic) VALUES ($1) ON CONFLICT DO NOTHING', [topic]);
      const current = await this.lockTopic(tx, topic);
      return this.add(tx, topic, current?.subscribers ?? 0, userIds);
    });
  }

  /** A user subscribes themselves: only to an existing topic opened by a service (else 403). */
  async subscribeSelf(topic: string, userId: string): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      const current = await this.lockTopic(tx, topic);
      if (!current?.self_subscribe) {
        throw new ForbiddenException(
          `topic '${topic}' is not open for subscribing oneself; a service subscribes users to it`,
        );
      }
      await this.add(tx, topic, current.subscribers, [userId]);
    });
  }

  async unsubscribe(topic: string, userId: string): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      await this.lockTopic(tx, topic); // the same lock order as subscribing: topic, then user
      const removed = await sqlRows(
        tx,
        'DELETE FROM topic_subscriptions WHERE topic = $1 AND user_id = $2 RETURNING 1',
        [topic, userId],
      );
      if (removed.length === 0) return;
      await sqlRows(
        tx,
        'UPDATE topics SET subscribers = greatest(subscribers - 1, 0) WHERE topic = $1',
        [topic],
      );
      await sqlRows(
        tx,
        'UPDATE user_topic_counts SET topics = greatest(topics - 1, 0) WHERE user_id = $1',
        [userId],
      );
    });
  }

  async topicsOf(userId: string): Promise<string[]> {
    const rows = await sqlRows<{ topic: string }>(
      this.dataSource.manager,
      `SELECT topic FROM topic_subscriptions WHERE user_id = $1 ORDER BY topic LIMIT $2`,
      [userId, this.config.topics.maxTopicsPerUser],
    );
    return rows.map((r) => r.topic);
  }

  private async lockTopic(tx: EntityManager, topic: string): Promise<TopicRow | undefined> {
    const [row] = await sqlRows<TopicRow>(
      tx,
      'SELECT topic, self_subscribe, subscribers FROM topics WHERE topic = $1 FOR UPDATE',
      [topic],
    );
    return row;
  }

  /** Inserts the subscriptions and moves both counters, or throws 409 past a cap (rollback). */
  private async add(
    tx: EntityManager,
    topic: string,
    subscribers: number,
    userIds: string[],
  ): Promise<number> {
    const added = await sqlRows<{ user_id: string }>(
      tx,
      `INSERT INTO topic_subscriptions (topic, user_id)
       SELECT $1, u FROM unnest($2::varchar[]) AS u ORDER BY u
       ON CONFLICT DO NOTHING RETURNING user_id`,
      [topic, userIds],
    );
    if (added.length === 0) return 0;
    const { maxSubscribers, maxTopicsPerUser } = this.config.topics;
    if (subscribers + added.length > maxSubscribers) {
      throw new ConflictException(
        `topic '${topic}' would have ${subscribers + added.length} subscribers; ` +
          `TOPIC_MAX_SUBSCRIBERS is ${maxSubscribers}`,
      );
    }
    const counts = await sqlRows<{ user_id: string; topics: number }>(
      tx,
      `INSERT INTO user_topic_counts (user_id, topics)
       SELECT u, 1 FROM unnest($1::varchar[]) AS u ORDER BY u
       ON CONFLICT (user_id) DO UPDATE SET topics = user_topic_counts.topics + 1
       RETURNING user_id, topics`,
      [added.map((row) => row.user_id)],
    );
    const over = counts.filter((row) => row.topics > maxTopicsPerUser).map((row) => row.user_id);
    if (over.length) {
      throw new ConflictException(
        `${over.length} user(s) would be subscribed to more than USER_MAX_TOPICS ` +
          `(${maxTopicsPerUser}) topics: ${over.slice(0, NAMED_USERS).join(', ')}`,
      );
    }
    await sqlRows(tx, 'UPDATE topics SET subscribers = subscribers + $2 WHERE topic = $1', [
      topic,
      added.length,
    ]);
    return added.length;
  }
}

interface TopicRow {
  topic: string;
  self_subscribe: boolean;
  subscribers: number;
}

function toView(row: TopicRow): TopicView {
  return { topic: row.topic, selfSubscribe: row.self_subscribe, subscribers: row.subscribers };
}
