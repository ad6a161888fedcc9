/**
 * docker-compose.yml, checked without a Docker engine: parsed and cross-checked against the app's
 * own config loader, deploy/postgres-init and deploy/nginx.conf (services, required secrets,
 * Herald's own Postgres role, Redis with a password, the nginx upstreams).
 */
import { CORE_SCHEMA, load, mergeTag } from 'js-yaml';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../src/config/app-config';

const ROOT = join(__dirname, '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

interface ComposeService {
  build?: string;
  image?: string;
  command?: string[] | string;
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

describe('docker-compose.yml', () => {
  const compose = load(read('docker-compose.yml'), {
    schema: CORE_SCHEMA.withTags(mergeTag),
  }) as { services: Record<string, ComposeService> };
  const services = compose.services;
  const heralds = Object.keys(services).filter((name) => services[name].build === '.');

  it('brings up Postgres, Redis with AOF, two Herald instances and nginx', () => {
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['postgres', 'redis', 'nginx']));
    expect(heralds).toEqual(['herald-1', 'herald-2']);
    const redisCommand = [services.redis.command ?? []].flat().join(' ');
    expect(redisCommand).toMatch(/--appendonly yes/);
    expect(services.redis.volumes?.some((v) => v.endsWith(':/data'))).toBe(true);
    expect(services.postgres.volumes?.some((v) => v.includes('/var/lib/postgresql/data'))).toBe(
      true,
    );
    expect(services.nginx.volumes).toContain('./deploy/nginx.conf:/etc/nginx/nginx.conf:ro');
    expect(Object.keys(services.nginx.depends_on ?? {}).sort()).toEqual(heralds);
    expect(services.nginx.ports?.length).toBe(1);
  });

  it('gives each instance a configuration the app accepts, pointing at the compose services', () => {
    for (const name of heralds) {
      const service = services[name];
      expect(Object.keys(service.depends_on ?? {}).sort()).toEqual(['postgres', 'redis']);
      // ${VAR:-default} → default; ${VAR:?message} → a value, as `docker compose` would demand
      const env = Object.fromEntries(
        Object.entries(service.environment ?? {}).map(([key, value]) => [
          key,
          String(value)
            .replace(/\$\{\w+:-([^}]*)\}/g, '$1')
            .replace(/\$\{\w+:\?[^}]*\}/g, 'a-deployment-secret-of-at-least-32-bytes!'),
        ]),
      );
      const config = loadConfig(env);
      expect(config.env).toBe('production');
      expect(new URL(config.database.url).hostname).toBe('postgres');
      expect(new URL(config.redis.url).hostname).toBe('redis');
      expect(config.trustProxyHops).toBe(1);
      expect(String(service.environment?.['JWT_SECRET'])).toMatch(/^\$\{JWT_SECRET:\?/);
    }
  });

  it('requires every password, secret and token: no default, no demo', () => {
    const text = read('docker-compose.yml');
    expect(text).not.toMatch(/\$\{\w*(PASSWORD|SECRET|TOKEN)\w*:?-/); // no ${X:-default}
    const required = (value: string | undefined, name: string) =>
      expect([name, value]).toEqual([name, expect.stringMatching(new RegExp(`\\$\\{${name}:\\?`))]);
    required(services.postgres.environment?.['POSTGRES_PASSWORD'], 'POSTGRES_PASSWORD');
    required(services.redis.environment?.['REDIS_PASSWORD'], 'REDIS_PASSWORD');
    for (const name of heralds) {
      const env = services[name].environment ?? {};
      required(env['JWT_SECRET'], 'JWT_SECRET');
      required(env['METRICS_TOKEN'], 'METRICS_TOKEN');
      required(env['DATABASE_URL'], 'HERALD_DB_PASSWORD');
      required(env['REDIS_URL'], 'REDIS_PASSWORD');
      expect(env['NODE_ENV']).toBe('production');
      expect(env['DEMO']).toBeUndefined(); // refused in production anyway
    }
  });

  it('connects Herald to Postgres as its own role, made by deploy/postgres-init, not the superuser', () => {
    const postgres = services.postgres.environment ?? {};
    // the image's superuser is `postgres` unless POSTGRES_USER says otherwise
    const superuser = postgres['POSTGRES_USER'] ?? 'postgres';
    expect(services.postgres.volumes).toContain(
      './deploy/postgres-init:/docker-entrypoint-initdb.d:ro',
    );
    expect(postgres['HERALD_DB_PASSWORD']).toMatch(/^\$\{HERALD_DB_PASSWORD:\?/);
    const script = read('deploy/postgres-init/10-herald-role.sh');
    for (const name of heralds) {
      const url = new URL(
        String(services[name].environment?.['DATABASE_URL']).replace(/\$\{[^}]*\}/g, 'pw'),
      );
      expect(url.username).not.toBe(superuser);
      expect(script).toContain(`HERALD_DB_USER:-${url.username}}`);
      expect(script).toContain(`HERALD_DB_NAME:-${url.pathname.slice(1)}}`);
      expect(services[name].environment?.['DATABASE_CREATE']).toBe('false');
    }
    expect(script).toMatch(/NOSUPERUSER NOCREATEDB NOCREATEROLE/);
  });

  it('runs Redis with a password, which Herald and the healthcheck send', () => {
    const command = [services.redis.command ?? []].flat();
    const password = command[command.indexOf('--requirepass') + 1];
    expect(password).toMatch(/^\$\{REDIS_PASSWORD:\?[^}]*\}$/);
    for (const name of heralds) {
      const url = String(services[name].environment?.['REDIS_URL']);
      expect(url.startsWith(`redis://:${password}@redis:`)).toBe(true);
    }
    const healthcheck = services.redis.healthcheck?.test.join(' ') ?? '';
    expect(healthcheck).toContain('REDISCLI_AUTH="$$REDIS_PASSWORD"');
    expect(healthcheck).toContain('grep -q PONG'); // redis-cli ping exits 0 on NOAUTH
  });

  it('lists exactly the compose instances as nginx upstreams, on their port', () => {
    const upstreams = [...read('deploy/nginx.conf').matchAll(/^\s*server\s+([\w.-]+):(\d+)/gm)];
    expect(upstreams.map((m) => m[1])).toEqual(heralds);
    for (const m of upstreams) expect(m[2]).toBe(services[m[1]].environment?.['PORT']);
  });
});
