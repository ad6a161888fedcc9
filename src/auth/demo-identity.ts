/**
 * Demo users (development only): `demo:<name>`, a namespace no real user can be in.
 *
 * Invariants, so that a demo token is never a real user's token and never a service's:
 * - demo tokens are signed with a key of their own, random per process and never configured, so
 *   nobody but this process can make one (knowing JWT_SECRET does not help), and they carry
 *   `kid` and `iss` of their own;
 * - a demo token's `sub` is always `demo:<name>` and it has no scopes;
 * - a token signed with the configured key whose `sub` starts with `demo:` is refused (see
 *   TokenVerifier.toPrincipal), so no real token can act as a demo user and no demo token as a
 *   real user.
 * A demo token minted by one process is refused by another (and after a restart); the widget
 * asks its getToken hook for a new one.
 */
import { Inject, Injectable } from '@nestjs/common';
import jwt, { type JwtHeader } from 'jsonwebtoken';
import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import type { Principal } from './principal';

export const DEMO_SUBJECT_PREFIX = 'demo:';
export const DEMO_ISSUER = 'herald-demo';
export const DEMO_KEY_ID = 'herald-demo';
/** Demo user tokens are short-lived, so the widget's token refresh hook gets exercised. */
const DEMO_TOKEN_TTL_SECONDS = 15 * 60;

export interface DemoToken {
  /** The demo user's id, `demo:<name>`: the id to publish to. */
  userId: string;
  token: string;
  /** Seconds until the token expires. */
  expiresIn: number;
}

export class DemoTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DemoTokenError';
  }
}

/** Whether `sub` is in the demo namespace (real tokens with such a `sub` are refused). */
export const isDemoSubject = (sub: string): boolean => sub.startsWith(DEMO_SUBJECT_PREFIX);

@Injectable()
export class DemoIdentity {
  /** Undefined when the demo is off: then no token is a demo token. */
  private readonly key?: KeyObject;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    if (config.demo) this.key = createSecretKey(randomBytes(32));
  }

  get enabled(): boolean {
    return this.key !== undefined;
  }

  /** A token for demo user `name` (the caller validated `name`). */
  mint(name: string): DemoToken {
    if (!this.key) throw new DemoTokenError('the demo is off');
    const userId = `${DEMO_SUBJECT_PREFIX}${name}`;
    const token = jwt.sign({ sub: userId }, this.key, {
      algorithm: 'HS256',
      keyid: DEMO_KEY_ID,
      issuer: DEMO_ISSUER,
      expiresIn: DEMO_TOKEN_TTL_SECONDS,
    });
    return { userId, token, expiresIn: DEMO_TOKEN_TTL_SECONDS };
  }

  /** Whether a token with this header is to be checked as a demo token (demo on, our `kid`). */
  claims(header: Pick<JwtHeader, 'kid'>): boolean {
    return this.key !== undefined && header.kid === DEMO_KEY_ID;
  }

  /** The demo user of a token that `claims()`; throws DemoTokenError for anything else. */
  verify(token: string): Principal {
    if (!this.key) throw new DemoTokenError('the demo is off');
    let payload: jwt.JwtPayload | string;
    try {
      payload = jwt.verify(token, this.key, { algorithms: ['HS256'], issuer: DEMO_ISSUER });
    } catch (error) {
      throw new DemoTokenError((error as Error).message);
    }
    if (typeof payload === 'string' || typeof payload.exp !== 'number') {
      throw new DemoTokenError('demo token has no exp');
    }
    // Only this process signs with the key, so these hold; checked anyway, fail closed.
    const sub = payload.sub;
    if (typeof sub !== 'string' || !isDemoSubject(sub) || payload['scope'] !== undefined) {
      throw new DemoTokenError('not a demo user token');
    }
    return { userId: sub, scopes: new Set(), expiresAt: payload.exp };
  }
}
