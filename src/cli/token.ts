/**
 * `npm run token -- --sub alice [--scope "notifications:write admin"] [--ttl 3600]`
 * Prints a JWT valid for the running configuration: JWT_SECRET from the environment or `.env`,
 * or the development secret only with NODE_ENV=development (the same rules as the server, so
 * without NODE_ENV=development and without a secret it refuses). Refuses when the service is
 * configured with a public key or JWKS: then tokens come from your identity provider.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import jwt from 'jsonwebtoken';
import { ConfigError, loadConfig } from '../config/app-config';
import { DEMO_SUBJECT_PREFIX, isDemoSubject } from '../auth/demo-identity';
import { SCOPES } from '../auth/principal';

function main(): void {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const { values } = parseArgs({
    options: {
      sub: { type: 'string' },
      scope: { type: 'string', multiple: true },
      ttl: { type: 'string', default: '3600' },
    },
  });
  const sub = values.sub;
  if (!sub || sub.length > 128)
    fail(
      'usage: npm run token -- --sub <user id, 1-128 chars> [--scope <scope>]... [--ttl seconds]',
    );
  if (isDemoSubject(sub)) fail(`--sub: "${DEMO_SUBJECT_PREFIX}…" is reserved for demo users`);
  const scopes = (values.scope ?? []).flatMap((s) => s.split(/[\s,]+/)).filter(Boolean);
  const unknown = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
  if (unknown.length) fail(`unknown scope(s): ${unknown.join(', ')} (known: ${SCOPES.join(', ')})`);
  const ttl = Number(values.ttl);
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > 30 * 24 * 3600)
    fail('--ttl must be 1..2592000 seconds');

  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    fail(error instanceof ConfigError ? error.message : String(error));
  }
  const key = config.jwt.key;
  if (key.kind !== 'secret')
    fail(
      'Herald verifies tokens with a public key or JWKS here; mint tokens with your identity provider.',
    );
  const payload: Record<string, unknown> = { sub };
  if (scopes.length) payload['scope'] = scopes.join(' ');
  const token = jwt.sign(payload, key.secret, {
    algorithm: 'HS256',
    expiresIn: ttl,
    ...(config.jwt.issuer ? { issuer: config.jwt.issuer } : {}),
    ...(config.jwt.audience ? { audience: config.jwt.audience } : {}),
  });
  process.stdout.write(`${token}\n`);
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

main();
