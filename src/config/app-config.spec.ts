import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, DEVELOPMENT_JWT_SECRET, ENV_VARIABLES, loadConfig } from './app-config';

const errorOf = (env: Record<string, string | undefined>): string => {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('loadConfig', () => {
  it('works with no other variable in development (NODE_ENV=development, as npm start sets)', () => {
    const config = loadConfig({ NODE_ENV: 'development' });
    expect(config.port).toBe(3000);
    expect(config.database.url).toBe('postgres://postgres@127.0.0.1:5432/herald');
    expect(config.redis.url).toBe('redis://127.0.0.1:6379');
    expect(config.jwt.key).toEqual({
      kind: 'secret',
      secret: DEVELOPMENT_JWT_SECRET,
      algorithms: ['HS256'],
    });
    expect(config.allowedOrigins).toBeNull();
    expect(config.demo).toBe(true);
    expect(config.env).toBe('development');
  });

  it('is production unless NODE_ENV=development exactly: unset, test and typos fail closed', () => {
    for (const env of [{}, { NODE_ENV: 'test' }, { NODE_ENV: 'dev' }, { NODE_ENV: '' }]) {
      const message = errorOf(env);
      expect(message).toContain('JWT_SECRET');
      expect(message).toContain('NODE_ENV=development');
      const config = loadConfig({ ...env, JWT_SECRET: 'p'.repeat(32) });
      expect(config.env).not.toBe('development');
      expect(config.allowedOrigins).toEqual([]);
      expect(config.demo).toBe(false);
      expect(errorOf({ ...env, JWT_SECRET: DEVELOPMENT_JWT_SECRET })).toContain(
        'development secret',
      );
    }
    expect(loadConfig({ NODE_ENV: 'test', JWT_SECRET: 'p'.repeat(32) }).env).toBe('test');
    expect(loadConfig({ JWT_SECRET: 'p'.repeat(32) }).env).toBe('production');
  });

  it('refuses DEMO=true outside development, allows it off', () => {
    for (const NODE_ENV of [undefined, 'production', 'test']) {
      const env = { JWT_SECRET: 'p'.repeat(32), ...(NODE_ENV ? { NODE_ENV } : {}) };
      expect(errorOf({ ...env, DEMO: 'true' })).toContain('DEMO');
      expect(loadConfig({ ...env, DEMO: 'false' }).demo).toBe(false);
    }
    expect(loadConfig({ NODE_ENV: 'development', DEMO: 'false' }).demo).toBe(false);
  });

  it('requires JWT_AUDIENCE with a public key or JWKS outside development', () => {
    const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString();
    const keys: Record<string, string>[] = [
      { JWT_PUBLIC_KEY: pem },
      { JWT_JWKS_URL: 'https://idp.example/jwks' },
    ];
    for (const key of keys) {
      expect(errorOf(key)).toContain('JWT_AUDIENCE');
      expect(errorOf({ ...key, NODE_ENV: 'production', JWT_ISSUER: 'https://idp' })).toContain(
        'JWT_AUDIENCE',
      );
      expect(loadConfig({ ...key, JWT_AUDIENCE: 'herald' }).jwt.audience).toBe('herald');
      expect(loadConfig({ ...key, NODE_ENV: 'development' }).jwt.audience).toBeUndefined();
    }
    // Herald's own shared secret is not shared with other apps: no audience needed
    expect(loadConfig({ JWT_SECRET: 'p'.repeat(32) }).jwt.audience).toBeUndefined();
  });

  it('takes METRICS_TOKEN of at least 16 characters', () => {
    const base = { JWT_SECRET: 'p'.repeat(32) };
    expect(loadConfig(base).metricsToken).toBeUndefined();
    expect(loadConfig({ ...base, METRICS_TOKEN: 'm'.repeat(16) }).metricsToken).toBe(
      'm'.repeat(16),
    );
    expect(errorOf({ ...base, METRICS_TOKEN: 'short' })).toContain('METRICS_TOKEN');
  });

  it('gives services a rate limit of their own, enough for 2,000 publishes/s to one instance', () => {
    const { rateLimit } = loadConfig({ JWT_SECRET: 'p'.repeat(32) });
    expect(rateLimit.requests).toBe(600);
    expect((rateLimit.serviceRequests / rateLimit.windowMs) * 1000).toBeGreaterThanOrEqual(2000);
    expect(
      loadConfig({ JWT_SECRET: 'p'.repeat(32), RATE_LIMIT_SERVICE_REQUESTS: '50' }).rateLimit
        .serviceRequests,
    ).toBe(50);
  });

  it('names the variable that is wrong', () => {
    expect(errorOf({ PORT: 'eighty' })).toContain('PORT');
    expect(errorOf({ WS_MAX_FRAMES_PER_SECOND: '0' })).toContain('WS_MAX_FRAMES_PER_SECOND');
    expect(errorOf({ REDIS_URL: 'not a url' })).toContain('REDIS_URL');
    expect(errorOf({ NODE_ENV: 'development', JWT_SECRET: 'short' })).toContain('JWT_SECRET');
  });

  it('refuses a missing, short or development secret in production', () => {
    expect(errorOf({ NODE_ENV: 'production' })).toContain('JWT_SECRET');
    expect(errorOf({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(31) })).toContain(
      'at least 32 bytes',
    );
    expect(errorOf({ NODE_ENV: 'production', JWT_SECRET: DEVELOPMENT_JWT_SECRET })).toContain(
      'development secret',
    );
    const config = loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'p'.repeat(32) });
    expect(config.allowedOrigins).toEqual([]);
    expect(config.demo).toBe(false);
  });

  it('pins the algorithm to the key type and refuses two key sources', () => {
    expect(
      errorOf({ JWT_SECRET: 's'.repeat(32), JWT_JWKS_URL: 'https://idp.example/jwks' }),
    ).toContain('exactly one');
    expect(errorOf({ JWT_PUBLIC_KEY: 'not a pem' })).toContain('JWT_PUBLIC_KEY');
    const jwks = { JWT_JWKS_URL: 'https://idp.example/jwks', JWT_AUDIENCE: 'herald' };
    expect(loadConfig(jwks).jwt.key.algorithms).toEqual(['RS256', 'ES256']);
  });

  it('parses ALLOWED_ORIGINS', () => {
    expect(
      loadConfig({
        NODE_ENV: 'development',
        ALLOWED_ORIGINS: 'https://a.example, https://b.example',
      }).allowedOrigins,
    ).toEqual(['https://a.example', 'https://b.example']);
  });

  it('parses PROCESS_QUEUES: every queue by default, known names only', () => {
    const dev = { NODE_ENV: 'development' };
    expect(loadConfig(dev).queue.processed).toEqual(['notifications', 'tasks', 'inbox', 'push']);
    expect(loadConfig({ ...dev, PROCESS_QUEUES: ' ' }).queue.processed).toHaveLength(4);
    expect(loadConfig({ ...dev, PROCESS_QUEUES: 'push, push' }).queue.processed).toEqual(['push']);
    expect(loadConfig({ ...dev, PROCESS_QUEUES: 'tasks,notifications' }).queue.processed).toEqual([
      'tasks',
      'notifications',
    ]);
    for (const wrong of ['pushes', 'push,email', 'Push']) {
      expect(errorOf({ ...dev, PROCESS_QUEUES: wrong })).toContain('PROCESS_QUEUES');
    }
  });

  it('reads each declared variable into its field, and reports its own name', () => {
    const config = loadConfig({
      JWT_SECRET: 'p'.repeat(32),
      DATABASE_POOL_SIZE: '7',
      WS_RESUME_GRACE_MS: '0',
      TOPIC_MAX_SUBSCRIBERS: '9',
      WEB_PUSH_ALLOW_PRIVATE_HOSTS: 'yes',
      SSE_HEARTBEAT_MS: '100',
    });
    expect(config.database.poolSize).toBe(7);
    expect(config.ws.resumeGraceMs).toBe(0);
    expect(config.topics.maxSubscribers).toBe(9);
    expect(config.webPush.allowPrivateHosts).toBe(true);
    expect(config.sse.heartbeatMs).toBe(100);
    expect(config.webPush.vapid).toBeNull();
    expect(errorOf({ JWT_SECRET: 'p'.repeat(32), SSE_HEARTBEAT_MS: '15001' })).toContain(
      'SSE_HEARTBEAT_MS',
    );
  });
});

/** `.env.example` and the README's table are written by hand: they must match the schema. */
describe('the documented configuration', () => {
  const root = join(__dirname, '../..');
  const defaults = ENV_VARIABLES.parse({}) as Record<string, string | number | boolean | undefined>;
  const names = Object.keys(ENV_VARIABLES.shape);

  it('.env.example lists every variable with its default', () => {
    const example = readFileSync(join(root, '.env.example'), 'utf8');
    const listed = new Map(
      [...example.matchAll(/^# ([A-Z0-9_]+)=(\S*)/gm)].map(([, name, value]) => [name, value]),
    );
    expect(names.filter((name) => !listed.has(name))).toEqual([]);
    expect([...listed.keys()].filter((name) => !names.includes(name))).toEqual([]);
    for (const name of names) {
      if (defaults[name] === undefined || name === 'NODE_ENV') continue;
      expect(`${name}=${listed.get(name) ?? '(missing)'}`).toBe(
        `${name}=${String(defaults[name])}`,
      );
    }
  });

  it("the README's table names every variable with its default", () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const documented = new Map<string, string | undefined>();
    for (const [, vars, given] of readme.matchAll(/^\| (`[A-Z0-9_]+`[^|]*)\| ([^|]*)\|/gm)) {
      const varNames = [...vars.matchAll(/`([A-Z0-9_]+)`/g)].map(([, name]) => name);
      const values = given.trim().split(' / ');
      varNames.forEach((name, i) => {
        const value = /^`([^`]*)`$/.exec(values[i] ?? '')?.[1];
        documented.set(name, varNames.length === values.length ? value : undefined);
      });
    }
    expect(names.filter((name) => !documented.has(name))).toEqual([]);
    for (const name of names) {
      const value = documented.get(name);
      if (value === undefined || defaults[name] === undefined) continue;
      expect(`${name}=${value}`).toBe(`${name}=${String(defaults[name])}`);
    }
  });
});
