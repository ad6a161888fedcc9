/** `npm run token`: prints a token the running configuration accepts. */
import jwt from 'jsonwebtoken';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import request from 'supertest';
import { DEVELOPMENT_JWT_SECRET } from '../src/config/app-config';
import { TEST_JWT_SECRET } from './support/env';
import { useTestApp } from './support/use-test-app';

const root = join(__dirname, '..');

function token(args: string[], env: Record<string, string> = {}) {
  return spawnSync(join(root, 'node_modules/.bin/tsx'), ['src/cli/token.ts', ...args], {
    cwd: root,
    env: { PATH: process.env.PATH, NODE_ENV: 'test', JWT_SECRET: TEST_JWT_SECRET, ...env },
    encoding: 'utf8',
    timeout: 20000,
  });
}

const herald = useTestApp();

it('mints a service token the app accepts for publishing, and a user token for the inbox', async () => {
  const service = token(['--sub', 'billing', '--scope', 'notifications:write']);
  expect(service.status).toBe(0);
  const user = token(['--sub', 'alice']);
  expect(user.status).toBe(0);
  await request(herald.url)
    .post('/v1/notifications')
    .set('Authorization', `Bearer ${service.stdout.trim()}`)
    .send({ userIds: ['alice'], type: 't', title: 'from the cli token' })
    .expect(202);
  await request(herald.url)
    .get('/v1/notifications')
    .set('Authorization', `Bearer ${user.stdout.trim()}`)
    .expect(200);
  // a user token has no service scope
  await request(herald.url)
    .post('/v1/notifications')
    .set('Authorization', `Bearer ${user.stdout.trim()}`)
    .send({ userIds: ['bob'], type: 't', title: 'x' })
    .expect(403);
}, 60000);

it('refuses bad arguments and key setups it cannot sign for', () => {
  expect(token([]).status).toBe(1);
  const unknown = token(['--sub', 'a', '--scope', 'root']);
  expect(unknown.status).toBe(1);
  expect(unknown.stderr).toContain('unknown scope');
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const asymmetric = token(['--sub', 'a'], {
    JWT_SECRET: '',
    JWT_PUBLIC_KEY: pem,
    JWT_AUDIENCE: 'herald',
  });
  expect(asymmetric.status).toBe(1);
  expect(asymmetric.stderr).toContain('mint tokens with your identity provider');
}, 60000);

it('follows the server’s rules: the development secret only with NODE_ENV=development', () => {
  const bare = (env: Record<string, string>) =>
    spawnSync(join(root, 'node_modules/.bin/tsx'), ['src/cli/token.ts', '--sub', 'alice'], {
      cwd: root,
      env: { PATH: process.env.PATH, ...env },
      encoding: 'utf8',
      timeout: 20000,
    });
  const modes: Record<string, string>[] = [{}, { NODE_ENV: 'production' }, { NODE_ENV: 'test' }];
  for (const env of modes) {
    const refused = bare(env);
    expect([refused.status, refused.stdout]).toEqual([1, '']);
    expect(refused.stderr).toContain('JWT_SECRET');
  }
  const dev = bare({ NODE_ENV: 'development' });
  expect(dev.status).toBe(0);
  expect(jwt.verify(dev.stdout.trim(), DEVELOPMENT_JWT_SECRET)).toMatchObject({ sub: 'alice' });
  const demo = token(['--sub', 'demo:alice']);
  expect(demo.status).toBe(1);
  expect(demo.stderr).toContain('reserved for demo users');
}, 60000);
