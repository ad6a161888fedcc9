/**
 * Fail closed: Herald started the way production starts it (`node dist/src/main.js`, the
 * Dockerfile's CMD and `npm run start:prod`) with no NODE_ENV gets none of the development
 * defaults: no published secret, no demo, no browser origin; a key setup that would accept
 * other apps' tokens refuses to start. And with a public key, JWT_AUDIENCE is enforced.
 */
import jwt from 'jsonwebtoken';
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { DEVELOPMENT_JWT_SECRET } from '../src/config/app-config';
import { heraldBuild } from './resilience/support/herald-process';
import { HeraldSocket } from '../src/client';
import { useTestApp } from './support/use-test-app';
import { BASE_ENV, TEST_JWT_SECRET } from './support/env';
import { freePort } from './support/redis-server';
import { destroyIsolation, newIsolation, startTestApp, type Isolation } from './support/test-app';

const ROOT = join(__dirname, '..');

type Boot = { exited: number | null; output: string } | { url: string; stop: () => Promise<void> };

/** `node main.js` with exactly `env` (no NODE_ENV unless given): its exit, or its URL once live. */
async function boot(isolation: Isolation, env: Record<string, string>): Promise<Boot> {
  const main = await heraldBuild();
  const port = await freePort();
  const database = new URL(BASE_ENV.ADMIN_DATABASE_URL);
  database.pathname = `/${isolation.database}`;
  const child = spawn(process.execPath, [main], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      DATABASE_URL: database.toString(),
      REDIS_URL: BASE_ENV.REDIS_URL,
      REDIS_PREFIX: isolation.prefix,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const code = await Promise.race([exited, new Promise((r) => setTimeout(r, 100, 'running'))]);
    if (code !== 'running') return { exited: code as number | null, output };
    const live = await fetch(`${url}/health/ready`).then(
      (response) => response.status === 200,
      () => false,
    );
    if (live) {
      return {
        url,
        stop: async () => {
          child.kill('SIGKILL');
          await exited;
        },
      };
    }
  }
  child.kill('SIGKILL');
  throw new Error(`Herald neither started nor exited within 60 s:\n${output}`);
}

async function refusal(isolation: Isolation, env: Record<string, string>): Promise<string> {
  const result = await boot(isolation, env);
  if ('url' in result) {
    await result.stop();
    throw new Error(`Herald started with ${JSON.stringify(Object.keys(env))}; it must refuse`);
  }
  expect(result.exited).toBe(1);
  return result.output;
}

describe('node dist/src/main.js without NODE_ENV (production)', () => {
  const isolation = newIsolation('failclosed');

  afterAll(() => destroyIsolation(isolation));

  it('refuses to start without a key, naming JWT_SECRET and NODE_ENV=development', async () => {
    const output = await refusal(isolation, {});
    expect(output).toContain('JWT_SECRET');
    expect(output).toContain('NODE_ENV=development');
  }, 90_000);

  it('refuses the published development secret, and NODE_ENV=test is no exception', async () => {
    expect(await refusal(isolation, { JWT_SECRET: DEVELOPMENT_JWT_SECRET })).toContain(
      'development secret',
    );
    expect(await refusal(isolation, { NODE_ENV: 'test' })).toContain('JWT_SECRET');
  }, 90_000);

  it('refuses DEMO=true', async () => {
    expect(await refusal(isolation, { JWT_SECRET: TEST_JWT_SECRET, DEMO: 'true' })).toContain(
      'DEMO',
    );
  }, 90_000);

  it('refuses a public key without JWT_AUDIENCE', async () => {
    const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString();
    expect(await refusal(isolation, { JWT_PUBLIC_KEY: pem })).toContain('JWT_AUDIENCE');
  }, 90_000);

  it('with JWT_SECRET: no demo tokens, no development-secret tokens, no browser origin', async () => {
    const started = await boot(isolation, { JWT_SECRET: TEST_JWT_SECRET });
    if (!('url' in started)) throw new Error(`Herald did not start:\n${started.output}`);
    try {
      const minted = await request(started.url).post('/demo/token').send({ userId: 'alice' });
      expect(minted.status).toBe(404);
      const forged = jwt.sign(
        { sub: 'x', scope: 'admin notifications:write' },
        DEVELOPMENT_JWT_SECRET,
        { expiresIn: 600 },
      );
      const published = await request(started.url)
        .post('/v1/notifications')
        .set('Authorization', `Bearer ${forged}`)
        .send({ userIds: ['alice'], type: 't', title: 'forged' });
      expect(published.status).toBe(401);
      const real = jwt.sign({ sub: 'alice' }, TEST_JWT_SECRET, { expiresIn: 600 });
      const wsUrl = `${started.url.replace('http', 'ws')}/ws?token=${real}`;
      expect(await HeraldSocket.upgradeStatus(wsUrl, { origin: 'https://evil.example' })).toBe(403);
      expect(await HeraldSocket.upgradeStatus(wsUrl)).toBe(101); // the control: no Origin, a service
    } finally {
      await started.stop();
    }
  }, 90_000);
});

describe('npm scripts', () => {
  it('npm start is the development quick start; start:prod and the image are production', () => {
    const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(scripts['start']).toMatch(/NODE_ENV=development node (--[\w=-]+ )*dist\/src\/main\.js$/);
    expect(scripts['start:prod']).toMatch(/^node (--[\w=-]+ )*dist\/src\/main\.js$/);
    expect(scripts['start:prod']).not.toContain('NODE_ENV');
    expect(readFileSync(join(ROOT, 'Dockerfile'), 'utf8')).not.toContain('development');
  });
});

describe('JWT_AUDIENCE with a public key', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicPem = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const sign = (claims: object) =>
    jwt.sign({ sub: 'alice', ...claims }, rsa.privateKey, { algorithm: 'RS256', expiresIn: 600 });
  const suite = useTestApp({
    name: 'failclosedaud',
    env: { JWT_SECRET: '', JWT_PUBLIC_KEY: publicPem, JWT_AUDIENCE: 'herald' },
  });

  it("refuses a token the identity provider made for another app (401), takes Herald's", async () => {
    const status = async (token: string) =>
      (await suite.client(token).request('GET', '/v1/notifications')).status;
    for (const token of [sign({ aud: 'billing-app' }), sign({})]) {
      expect(await status(token)).toBe(401);
      expect(await HeraldSocket.upgradeStatus(`${suite.app.wsUrl}?token=${token}`)).toBe(401);
    }
    const herald = sign({ aud: 'herald' });
    expect(await status(herald)).toBe(200);
    expect(await HeraldSocket.upgradeStatus(`${suite.app.wsUrl}?token=${herald}`)).toBe(101);
  });

  it('will not start in production without JWT_AUDIENCE', async () => {
    await expect(
      startTestApp(suite.isolation, { JWT_SECRET: '', JWT_PUBLIC_KEY: publicPem }),
    ).rejects.toThrow('JWT_AUDIENCE');
  });
});
