import jwt, { type Algorithm } from 'jsonwebtoken';
import { TEST_JWT_SECRET } from './env';

export interface TokenOptions {
  scope?: string;
  expiresIn?: number;
  secret?: string;
  algorithm?: Algorithm;
  claims?: Record<string, unknown>;
}

/** A token for `sub`, valid for the e2e apps unless options say otherwise. */
export function tokenFor(sub: string, options: TokenOptions = {}): string {
  const payload: Record<string, unknown> = { sub, ...options.claims };
  if (options.scope) payload['scope'] = options.scope;
  return jwt.sign(payload, options.secret ?? TEST_JWT_SECRET, {
    algorithm: options.algorithm ?? 'HS256',
    ...(options.claims && 'exp' in options.claims ? {} : { expiresIn: options.expiresIn ?? 600 }),
  });
}

export const serviceToken = (sub = 'billing-service') =>
  tokenFor(sub, { scope: 'notifications:write' });

/** A token with `alg: none` (unsigned). */
export function unsignedToken(sub: string): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ sub, exp: now + 600, iat: now })}.`;
}
