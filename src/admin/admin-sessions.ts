/**
 * Dashboard sessions: an opaque random id in the browser's cookie, the signed-in subject in
 * Redis under a hash of that id (a dump of Redis holds no usable session), shared by every
 * instance and gone when it lapses. Never the bearer JWT itself: a stolen session cookie is
 * worth at most SESSION_SECONDS of dashboard access and nothing on the API.
 */
import { Inject, Injectable, OnModuleDestroy, UnauthorizedException } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Principal } from '../auth/principal';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { createRedis } from '../redis/redis.factory';

/** A session lasts this long, or until the token it was made from expires, whichever is first. */
export const SESSION_SECONDS = 15 * 60;
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/; // 32 random bytes, base64url

export interface OpenedSession {
  id: string;
  maxAgeSeconds: number;
}

@Injectable()
export class AdminSessions implements OnModuleDestroy {
  private readonly redis: Redis;
  private readonly prefix: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.redis = createRedis(config, 'admin-sessions', {
      lazyConnect: true,
      maxRetriesPerRequest: 1,
    });
    this.prefix = `${config.redis.prefix}:admin-session:`;
  }

  /** A session for an admin principal, no longer than its token is valid. */
  async open(admin: Principal): Promise<OpenedSession> {
    const maxAgeSeconds = Math.min(
      SESSION_SECONDS,
      admin.expiresAt - Math.floor(Date.now() / 1000),
    );
    if (maxAgeSeconds < 1) throw new UnauthorizedException('invalid or expired token');
    const id = randomBytes(32).toString('base64url');
    await this.redis.set(this.key(id), admin.userId, 'EX', maxAgeSeconds);
    return { id, maxAgeSeconds };
  }

  /** The subject of a live session, or null (unknown, lapsed or malformed id). */
  async subjectOf(id: string): Promise<string | null> {
    if (!SESSION_ID.test(id)) return null;
    return this.redis.get(this.key(id));
  }

  async close(id: string): Promise<void> {
    if (SESSION_ID.test(id)) await this.redis.del(this.key(id));
  }

  onModuleDestroy(): void {
    this.redis.disconnect();
  }

  private key(id: string): string {
    return this.prefix + createHash('sha256').update(id).digest('base64url');
  }
}
