/**
 * Which users have an open connection, on any instance, and how many: the per-user connection
 * cap across instances (WS_MAX_SOCKETS_PER_USER) and "is this user online" for Web Push.
 *
 * Any kind of connection registers (a WebSocket, an SSE stream): it only needs a user id and an
 * id unique on this instance. Entries live in Redis with an expiry this instance pushes forward
 * on a heartbeat (every third of PRESENCE_TTL_MS), so:
 * - closed: removed at once (`release`);
 * - instance killed (SIGKILL, no cleanup): its entries stop counting within PRESENCE_TTL_MS;
 * - Redis restarted without its data: the next heartbeat writes every open connection back.
 *
 * Ordering: admission, release and heartbeat of one connection go through this one Redis
 * connection, which runs commands in the order they were sent. A heartbeat reads the local
 * entries in the same turn it sends them, so it can never re-add a connection released before.
 *
 * Redis unreachable: admission falls back to this instance's own count against the same cap
 * (a user may then hold the cap on each instance until Redis is back); `onlineUserIds` rejects.
 */
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { ChainableCommander, Redis } from 'ioredis';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { failFastRedis, throttledWarn } from './fail-fast-redis';
import type { PresenceConnection } from './presence-connection';
import { ADMIT, ONLINE, REFRESH } from './presence.scripts';

type PresenceRedis = Redis & {
  heraldPresenceAdmit(
    key: string,
    member: string,
    cap: number,
    ttlMs: number,
  ): Promise<[number, number]>;
};

type PresencePipeline = ChainableCommander & {
  heraldPresenceRefresh(key: string, ttlMs: number, ...members: string[]): PresencePipeline;
  heraldPresenceOnline(numberOfKeys: number, ...keys: string[]): PresencePipeline;
};

/** Users per heartbeat pipeline, and user keys per `onlineUserIds` script call. */
const USERS_PER_BATCH = 1000;

@Injectable()
export class PresenceService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(PresenceService.name);
  private readonly warn = throttledWarn(this.logger);
  /** Random per process: a restarted instance never refreshes its predecessor's entries. */
  readonly instanceId = randomBytes(9).toString('base64url');
  private readonly redis: PresenceRedis;
  private readonly prefix: string;
  private readonly cap: number;
  private readonly ttlMs: number;
  /** userId → connectionId → admitted (false while its admission is in flight). */
  private readonly local = new Map<string, Map<string, boolean>>();
  private heartbeat: NodeJS.Timeout | null = null;
  private refreshing = false;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.prefix = `${config.redis.prefix}:presence`;
    this.cap = config.ws.maxSocketsPerUser;
    this.ttlMs = config.ws.presenceTtlMs;
    this.redis = failFastRedis(config, 'presence', this.warn) as PresenceRedis;
    this.redis.defineCommand('heraldPresenceAdmit', { numberOfKeys: 1, lua: ADMIT });
    this.redis.defineCommand('heraldPresenceRefresh', { numberOfKeys: 1, lua: REFRESH });
    this.redis.defineCommand('heraldPresenceOnline', { lua: ONLINE });
    // Back after an outage or a Redis restart: put every open connection back at once.
    this.redis.on('ready', () => void this.refresh());
  }

  async onModuleInit(): Promise<void> {
    await this.redis.connect().catch(() => undefined); // keeps reconnecting; admission falls back
    this.heartbeat = setInterval(() => void this.refresh(), Math.floor(this.ttlMs / 3));
    this.heartbeat.unref();
  }

  /**
   * Counts the connection in if its user has fewer than WS_MAX_SOCKETS_PER_USER open on all
   * instances together; false: refused, nothing kept. Call `release` when it closes, also if
   * it closes while this is pending.
   */
  async admit(connection: PresenceConnection): Promise<boolean> {
    const { userId, connectionId } = connection;
    let mine = this.local.get(userId);
    if (!mine) this.local.set(userId, (mine = new Map<string, boolean>()));
    if (mine.has(connectionId)) return mine.get(connectionId) === true;
    mine.set(connectionId, false);
    let admitted: boolean;
    try {
      const [ok] = await this.redis.heraldPresenceAdmit(
        this.keyOf(userId),
        this.memberOf(connectionId),
        this.cap,
        this.ttlMs,
      );
      admitted = ok === 1;
    } catch (error) {
      this.warn(`presence unavailable, admitting by this instance's count: ${String(error)}`);
      admitted = this.localCount(userId) < this.cap;
    }
    const entries = this.local.get(userId);
    if (entries?.get(connectionId) !== false) return false; // released while pending
    if (admitted) entries.set(connectionId, true);
    else this.forget(userId, connectionId);
    return admitted;
  }

  /** Counts the connection out (idempotent; nothing happens for one never admitted). */
  release(connection: PresenceConnection): void {
    const { userId, connectionId } = connection;
    if (!this.forget(userId, connectionId)) return;
    // A pending admission may still add it: this ZREM is sent after it, so it runs after it.
    this.redis.zrem(this.keyOf(userId), this.memberOf(connectionId)).catch((error: unknown) => {
      // Left in Redis, the entry is not refreshed any more and expires within the TTL.
      this.warn(`presence release failed: ${String(error)}`);
    });
  }

  /**
   * The users among `userIds` with an open connection on any instance (live entries only), in
   * one round trip however many: 10,000 ids are ten script calls in one pipeline. Rejects while
   * Redis is unreachable.
   */
  async onlineUserIds(userIds: readonly string[]): Promise<Set<string>> {
    const unique = [...new Set(userIds)];
    const online = new Set<string>();
    if (unique.length === 0) return online;
    const pipeline = this.redis.pipeline() as PresencePipeline;
    for (let i = 0; i < unique.length; i += USERS_PER_BATCH) {
      const keys = unique.slice(i, i + USERS_PER_BATCH).map((userId) => this.keyOf(userId));
      pipeline.heraldPresenceOnline(keys.length, ...keys);
    }
    const results = await pipeline.exec();
    if (!results) throw new Error('presence query was not run');
    for (const [batch, [error, positions]] of results.entries()) {
      if (error) throw error;
      for (const position of positions as number[]) {
        online.add(unique[batch * USERS_PER_BATCH + position - 1]);
      }
    }
    return online;
  }

  /** This instance's admitted connections of a user. */
  localCount(userId: string): number {
    let count = 0;
    for (const admitted of this.local.get(userId)?.values() ?? []) if (admitted) count += 1;
    return count;
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    // Connections still open now are gone with this process: count them out right away.
    const pipeline = this.redis.pipeline();
    for (const [userId, entries] of this.local) {
      for (const connectionId of entries.keys()) {
        pipeline.zrem(this.keyOf(userId), this.memberOf(connectionId));
      }
    }
    this.local.clear();
    try {
      if (this.redis.status === 'ready') {
        await pipeline.exec();
        await this.redis.quit();
      }
    } catch {
      // Unreachable: the entries expire within the TTL instead.
    } finally {
      this.redis.disconnect();
    }
  }

  /** Pushes the expiry of every admitted connection forward (and rewrites lost ones). */
  private async refresh(): Promise<void> {
    if (this.refreshing || this.redis.status !== 'ready') return;
    this.refreshing = true;
    try {
      const users = [...this.local.keys()];
      for (let i = 0; i < users.length; i += USERS_PER_BATCH) {
        if (i > 0) await new Promise((resolve) => setImmediate(resolve));
        // Read and sent in one turn: see "Ordering" above.
        const pipeline = this.redis.pipeline() as PresencePipeline;
        for (const userId of users.slice(i, i + USERS_PER_BATCH)) {
          const members: string[] = [];
          for (const [connectionId, admitted] of this.local.get(userId) ?? []) {
            if (admitted) members.push(this.memberOf(connectionId));
          }
          if (members.length) {
            pipeline.heraldPresenceRefresh(this.keyOf(userId), this.ttlMs, ...members);
          }
        }
        const results = await pipeline.exec();
        const failed = results?.find(([error]) => error);
        if (failed) throw failed[0] as Error;
      }
    } catch (error) {
      this.warn(`presence heartbeat failed: ${String(error)}`);
    } finally {
      this.refreshing = false;
    }
  }

  /** Drops a local entry; false if there was none. */
  private forget(userId: string, connectionId: string): boolean {
    const entries = this.local.get(userId);
    if (!entries?.delete(connectionId)) return false;
    if (entries.size === 0) this.local.delete(userId);
    return true;
  }

  /**
   * {…} is a hash tag: admission and heartbeat touch one key each, as Redis Cluster wants
   * (`onlineUserIds` would have to group its keys by slot there).
   */
  private keyOf(userId: string): string {
    return `${this.prefix}:{${userId}}`;
  }

  private memberOf(connectionId: string): string {
    return `${this.instanceId}:${connectionId}`;
  }
}
