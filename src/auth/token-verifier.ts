/**
 * The single JWT verifier. REST (passport-jwt, see JwtStrategy) and the WebSocket handshake use
 * the same key resolution, the same pinned algorithms and the same claim checks from here.
 */
import { Inject, Injectable } from '@nestjs/common';
import jwt, { type JwtHeader, type JwtPayload, type VerifyOptions } from 'jsonwebtoken';
import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { JwksClient } from 'jwks-rsa';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { DemoIdentity, isDemoSubject } from './demo-identity';
import type { Principal } from './principal';

export class InvalidTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidTokenError';
  }
}

const MAX_USER_ID_LENGTH = 128;
const MAX_CACHED_JWKS_KEYS = 32;

@Injectable()
export class TokenVerifier {
  readonly options: VerifyOptions & { algorithms: jwt.Algorithm[] };
  readonly issuer?: string;
  readonly audience?: string;
  private readonly jwks?: JwksClient;
  /**
   * Keys as KeyObjects, made once: given a string, jsonwebtoken tries createPublicKey on it and,
   * for a shared secret, catches the failure on every verify, which costs more CPU than the
   * verification itself under publish load. Undefined with JWKS (key by `kid`).
   */
  readonly staticKey?: KeyObject;
  private readonly jwksKeys = new Map<string, KeyObject>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly demo: DemoIdentity,
  ) {
    const { key, issuer, audience } = config.jwt;
    this.issuer = issuer;
    this.audience = audience;
    this.options = { algorithms: [...key.algorithms], issuer, audience };
    if (key.kind === 'secret') this.staticKey = createSecretKey(Buffer.from(key.secret, 'utf8'));
    if (key.kind === 'publicKey') this.staticKey = createPublicKey(key.publicKey);
    if (key.kind === 'jwks') {
      this.jwks = new JwksClient({
        jwksUri: key.jwksUrl,
        cache: true,
        rateLimit: true,
        timeout: 5000,
      });
    }
  }

  /** The key that must have signed a token with this header. */
  async keyFor(header: Pick<JwtHeader, 'kid' | 'alg'>): Promise<KeyObject> {
    if (this.staticKey) return this.staticKey;
    if (!this.jwks) throw new InvalidTokenError('JWKS client is not configured');
    let pem: string;
    try {
      pem = (await this.jwks.getSigningKey(header.kid)).getPublicKey();
    } catch {
      throw new InvalidTokenError('no matching signing key');
    }
    let key = this.jwksKeys.get(pem);
    if (!key) {
      // jwks-rsa caches the set; this only keeps the parsed form of the keys it answers with.
      if (this.jwksKeys.size >= MAX_CACHED_JWKS_KEYS) this.jwksKeys.clear();
      key = createPublicKey(pem);
      this.jwksKeys.set(pem, key);
    }
    return key;
  }

  async verify(token: string): Promise<Principal> {
    const decoded = jwt.decode(token, { complete: true });
    if (!decoded || typeof decoded.payload === 'string') {
      throw new InvalidTokenError('malformed token');
    }
    if (this.demo.claims(decoded.header)) return this.verifyDemo(token);
    const key = await this.keyFor(decoded.header);
    let payload: JwtPayload | string;
    try {
      payload = jwt.verify(token, key, this.options);
    } catch (error) {
      throw new InvalidTokenError((error as Error).message);
    }
    return this.toPrincipal(payload);
  }

  /** Whether REST must check this bearer token as a demo token (not through passport-jwt). */
  isDemoToken(token: string): boolean {
    if (!this.demo.enabled) return false;
    const decoded = jwt.decode(token, { complete: true });
    return decoded !== null && this.demo.claims(decoded.header);
  }

  /** A demo user's token (DemoIdentity), checked with the demo key only. */
  verifyDemo(token: string): Principal {
    try {
      return this.demo.verify(token);
    } catch (error) {
      throw new InvalidTokenError((error as Error).message);
    }
  }

  /**
   * Claim checks beyond the signature of a token signed with the configured key: `exp`
   * required, `sub` 1–128 chars and not in the demo namespace, `scope` parsed.
   */
  toPrincipal(payload: JwtPayload | string): Principal {
    if (typeof payload === 'string') throw new InvalidTokenError('token payload is not an object');
    if (typeof payload.exp !== 'number') throw new InvalidTokenError('token has no exp');
    const sub = payload.sub;
    if (typeof sub !== 'string' || sub.length < 1 || sub.length > MAX_USER_ID_LENGTH) {
      throw new InvalidTokenError('token sub must be a string of 1-128 characters');
    }
    if (isDemoSubject(sub)) {
      throw new InvalidTokenError('token sub "demo:…" is reserved for demo users');
    }
    const scope: unknown = payload['scope'];
    const scopes = typeof scope === 'string' ? scope.split(' ').filter(Boolean) : [];
    return { userId: sub, scopes: new Set(scopes), expiresAt: payload.exp };
  }
}
