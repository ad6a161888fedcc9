/**
 * The single JWT verifier. REST (passport-jwt, see JwtStrategy) and the WebSocket handshake use
 * the same key resolution, the same pinned algorithms and the same claim checks from here.
 */
import { Inject, Injectable } from '@nestjs/common';
import jwt, { type JwtHeader, type JwtPayload, type VerifyOptions } from 'jsonwebtoken';
import { JwksClient } from 'jwks-rsa';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import type { Principal } from './principal';

export class InvalidTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidTokenError';
  }
}

const MAX_USER_ID_LENGTH = 128;

@Injectable()
export class TokenVerifier {
  readonly options: VerifyOptions & { algorithms: jwt.Algorithm[] };
  readonly issuer?: string;
  readonly audience?: string;
  private readonly jwks?: JwksClient;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    const { key, issuer, audience } = config.jwt;
    this.issuer = issuer;
    this.audience = audience;
    this.options = { algorithms: [...key.algorithms], issuer, audience };
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
  async keyFor(header: Pick<JwtHeader, 'kid' | 'alg'>): Promise<string> {
    const key = this.config.jwt.key;
    switch (key.kind) {
      case 'secret':
        return key.secret;
      case 'publicKey':
        return key.publicKey;
      case 'jwks': {
        if (!this.jwks) throw new InvalidTokenError('JWKS client is not configured');
        try {
          return (await this.jwks.getSigningKey(header.kid)).getPublicKey();
        } catch {
          throw new InvalidTokenError('no matching signing key');
        }
      }
    }
  }

  async verify(token: string): Promise<Principal> {
    const decoded = jwt.decode(token, { complete: true });
    if (!decoded || typeof decoded.payload === 'string') {
      throw new InvalidTokenError('malformed token');
    }
    const key = await this.keyFor(decoded.header);
    let payload: JwtPayload | string;
    try {
      payload = jwt.verify(token, key, this.options);
    } catch (error) {
      throw new InvalidTokenError((error as Error).message);
    }
    return this.toPrincipal(payload);
  }

  /** Claim checks beyond the signature: `exp` required, `sub` 1–128 chars, `scope` parsed. */
  toPrincipal(payload: JwtPayload | string): Principal {
    if (typeof payload === 'string') throw new InvalidTokenError('token payload is not an object');
    if (typeof payload.exp !== 'number') throw new InvalidTokenError('token has no exp');
    const sub = payload.sub;
    if (typeof sub !== 'string' || sub.length < 1 || sub.length > MAX_USER_ID_LENGTH) {
      throw new InvalidTokenError('token sub must be a string of 1-128 characters');
    }
    const scope: unknown = payload['scope'];
    const scopes = typeof scope === 'string' ? scope.split(' ').filter(Boolean) : [];
    return { userId: sub, scopes: new Set(scopes), expiresAt: payload.exp };
  }
}
