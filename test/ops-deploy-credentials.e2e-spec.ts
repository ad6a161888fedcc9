/**
 * The compose deployment's credentials, run for real without Docker: deploy/postgres-init
 * makes Herald's role on the local Postgres, a redis-server of the test's own requires a
 * password, and Herald (migrations included) runs as that role with that password in its
 * REDIS_URL, as docker-compose.yml wires it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import request from 'supertest';
import { HeraldSocket } from '../src/client';
import { BASE_ENV } from './support/env';
import { freePort } from './support/redis-server';
import {
  destroyIsolation,
  eventually,
  newIsolation,
  startTestApp,
  type TestApp,
} from './support/test-app';
import { serviceToken, tokenFor } from './support/tokens';

const SCRIPT = join(__dirname, '..', 'deploy', 'postgres-init', '10-herald-role.sh');
const REDIS_PASSWORD = 'a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5';
const isolation = newIsolation('deploycreds');
const role = isolation.database; // a role of this test's own: roles are cluster-wide
const admin = new URL(BASE_ENV.ADMIN_DATABASE_URL);
let redis: ChildProcess | undefined;
let redisPort = 0;
let app: TestApp | undefined;

/** A SQL connection as Herald's role, to its database. */
async function asRole(): Promise<Client> {
  const url = new URL(admin);
  url.username = role;
  url.password = 'the-role-password';
  url.pathname = `/${isolation.database}`;
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  return client;
}

beforeAll(async () => {
  const made = spawnSync('sh', [SCRIPT], {
    env: {
      PATH: process.env.PATH,
      PGHOST: admin.hostname,
      PGPORT: admin.port || '5432',
      POSTGRES_USER: decodeURIComponent(admin.username),
      POSTGRES_DB: admin.pathname.slice(1),
      HERALD_DB_USER: role,
      HERALD_DB_NAME: isolation.database,
      HERALD_DB_PASSWORD: "the-role-password with ' and \\",
    },
    encoding: 'utf8',
  });
  expect([made.status, made.stderr]).toEqual([0, '']);
  redisPort = await freePort();
  // as docker-compose.yml starts it: a `--requirepass` argument
  redis = spawn(
    'redis-server',
    [
      '--port',
      String(redisPort),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--requirepass',
      REDIS_PASSWORD,
    ],
    { stdio: 'ignore' },
  );
  await eventually(async () => {
    const client = new Redis(`redis://:${REDIS_PASSWORD}@127.0.0.1:${redisPort}`, {
      lazyConnect: true,
      retryStrategy: () => null,
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return (await client.ping()) === 'PONG';
    } finally {
      client.disconnect();
    }
  });
});

afterAll(async () => {
  await app?.close();
  if (redis && redis.exitCode === null) {
    const exited = new Promise((resolve) => redis!.once('exit', resolve));
    redis.kill('SIGKILL');
    await exited;
  }
  await destroyIsolation(isolation);
  const pg = new Client({ connectionString: BASE_ENV.ADMIN_DATABASE_URL });
  await pg.connect();
  try {
    await pg.query(`DROP ROLE IF EXISTS "${role}"`);
  } finally {
    await pg.end();
  }
});

it('makes a role that owns its database and schema and is no superuser', async () => {
  const db = await asRole();
  try {
    const { rows } = await db.query(
      `SELECT r.rolsuper, r.rolcreatedb, r.rolcreaterole, r.rolbypassrls,
              d.datdba::regrole::text AS db_owner, n.nspowner::regrole::text AS schema_owner
         FROM pg_roles r, pg_database d, pg_namespace n
        WHERE r.rolname = current_user AND d.datname = current_database() AND n.nspname = 'public'`,
    );
    expect(rows).toEqual([
      {
        rolsuper: false,
        rolcreatedb: false,
        rolcreaterole: false,
        rolbypassrls: false,
        db_owner: role,
        schema_owner: role,
      },
    ]);
    await expect(db.query('CREATE DATABASE herald_other')).rejects.toThrow(/permission denied/);
    await expect(db.query('CREATE ROLE herald_other')).rejects.toThrow(/permission denied/);
    await expect(db.query("COPY (SELECT 1) TO PROGRAM 'true'")).rejects.toThrow(
      /permission|must be/,
    );
  } finally {
    await db.end();
  }
});

it('refuses a Redis client without the password', async () => {
  const client = new Redis(`redis://127.0.0.1:${redisPort}`, { retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await expect(client.ping()).rejects.toThrow(/NOAUTH/);
  } finally {
    client.disconnect();
  }
});

it('runs Herald as that role (migrations included) with the Redis password in REDIS_URL', async () => {
  const url = new URL(admin);
  url.username = role;
  url.password = 'the-role-password';
  url.pathname = `/${isolation.database}`;
  app = await startTestApp(isolation, {
    DATABASE_URL: url.toString(),
    DATABASE_CREATE: 'false',
    REDIS_URL: `redis://:${REDIS_PASSWORD}@127.0.0.1:${redisPort}`,
  });
  expect((await request(app.url).get('/health/ready')).status).toBe(200);
  const socket = await HeraldSocket.connect(app.wsUrl, tokenFor('ivy'));
  try {
    await request(app.url)
      .post('/v1/notifications')
      .set('Authorization', `Bearer ${serviceToken()}`)
      .send({ userIds: ['ivy'], type: 't', title: 'as herald, with a password' })
      .expect(202);
    expect((await socket.next('notification')).title).toBe('as herald, with a password');
  } finally {
    await socket.close();
  }
  const db = await asRole();
  try {
    const owners = await db.query(
      `SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'`,
    );
    expect(owners.rows).toEqual([{ tableowner: role }]);
  } finally {
    await db.end();
  }
});
