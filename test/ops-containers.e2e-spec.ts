/**
 * Dockerfile, docker-compose.yml and deploy/nginx.conf, checked without a Docker engine: the
 * files are parsed and cross-checked against the repo, and nginx (when installed) validates the
 * config and then runs it in front of two real Herald instances, WebSockets included.
 */
import { ConnectionRegistry } from '../src/realtime/connection-registry';
import { loadConfig } from '../src/config/app-config';
import { CORE_SCHEMA, load, mergeTag } from 'js-yaml';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { HeraldSocket } from '../src/client';
import { freePort } from './support/redis-server';
import {
  destroyIsolation,
  eventually,
  newIsolation,
  startTestApp,
  type TestApp,
} from './support/test-app';
import { serviceToken, tokenFor } from './support/tokens';

const ROOT = join(__dirname, '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  base: string;
  name: string;
  steps: Instruction[];
}

function dockerfileStages(text: string): Stage[] {
  const logical = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of logical) {
    const [, op, args] = /^(\S+)\s+(.*)$/.exec(line) ?? [];
    if (!op) continue;
    if (op.toUpperCase() === 'FROM') {
      const [, base, name] = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args) ?? [];
      stages.push({ base, name: name ?? String(stages.length), steps: [] });
    } else stages.at(-1)?.steps.push({ op: op.toUpperCase(), args });
  }
  return stages;
}

/** Whether .dockerignore lets a top-level entry into the build context (last match wins). */
function inContext(entry: string): boolean {
  let included = true;
  for (const raw of read('.dockerignore').split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const negated = line.startsWith('!');
    const pattern = (negated ? line.slice(1) : line).replace(/\/$/, '');
    const regex = new RegExp(
      `^${pattern
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*\*\/?/g, '.*')
        .replace(/(?<!\.)\*/g, '[^/]*')}$`,
    );
    if (regex.test(entry)) included = negated;
  }
  return included;
}

describe('Dockerfile', () => {
  const stages = dockerfileStages(read('Dockerfile'));
  const runtime = stages.at(-1)!;
  const steps = (stage: Stage, op: string) => stage.steps.filter((s) => s.op === op);

  it('builds in stages and runs from a final stage without the build toolchain', () => {
    expect(stages.map((s) => s.name)).toEqual(['build', 'deps', 'runtime']);
    expect(steps(stages[0], 'RUN').map((s) => s.args)).toContain('npm run build');
    expect(steps(stages[1], 'RUN')[0].args).toContain('npm ci --omit=dev');
    expect(steps(runtime, 'RUN')).toEqual([]); // nothing is installed or compiled there
    const fromStages = steps(runtime, 'COPY')
      .map((s) => /--from=(\S+)/.exec(s.args)?.[1])
      .filter(Boolean);
    expect(fromStages.sort()).toEqual(['build', 'deps']);
  });

  it('runs as a non-root user, with a HEALTHCHECK on /health/live, the built entry file', () => {
    const users = steps(runtime, 'USER').map((s) => s.args);
    expect(users).toHaveLength(1);
    expect(['root', '0']).not.toContain(users[0].split(':')[0]);
    const healthcheck = steps(runtime, 'HEALTHCHECK').map((s) => s.args);
    expect(healthcheck).toHaveLength(1);
    expect(healthcheck[0]).toContain('/health/live');
    // where `nest build` puts the entry file: outDir / entryFile (paths kept under rootDir ".")
    const cmd = JSON.parse(steps(runtime, 'CMD')[0].args) as string[];
    const nest = JSON.parse(read('nest-cli.json')) as { entryFile: string };
    const { compilerOptions } = JSON.parse(read('tsconfig.json')) as {
      compilerOptions: { outDir: string; rootDir: string };
    };
    expect(compilerOptions.rootDir).toBe('.');
    expect(cmd).toEqual([
      'node',
      `${compilerOptions.outDir.replace(/^\.\//, '')}/${nest.entryFile}.js`,
    ]);
    expect(steps(runtime, 'EXPOSE').map((s) => s.args)).toEqual(['3000']);
    expect(
      steps(runtime, 'ENV')
        .map((s) => s.args)
        .join(' '),
    ).toContain('NODE_ENV=production');
  });

  it('copies only files that exist and that .dockerignore lets into the context', () => {
    const sources = stages
      .flatMap((stage) => steps(stage, 'COPY'))
      .filter((s) => !s.args.includes('--from='))
      .flatMap((s) =>
        s.args
          .split(/\s+/)
          .filter((a) => !a.startsWith('--'))
          .slice(0, -1),
      );
    expect(sources.length).toBeGreaterThan(2);
    for (const source of sources) {
      expect([source, existsSync(join(ROOT, source))]).toEqual([source, true]);
      if (source !== '.') expect([source, inContext(source.split('/')[0])]).toEqual([source, true]);
    }
    for (const entry of [
      'src',
      'migrations',
      'tsconfig.json',
      'tsconfig.build.json',
      'nest-cli.json',
    ]) {
      expect([entry, inContext(entry)]).toEqual([entry, true]);
    }
    for (const secret of ['.env', '.git', 'node_modules', 'dist', 'test']) {
      expect([secret, inContext(secret)]).toEqual([secret, false]);
    }
  });
});

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

describe('deploy/nginx.conf', () => {
  const isolation = newIsolation('opsnginx');
  const nginx = spawnSync('nginx', ['-v']).error ? null : 'nginx';
  let apps: TestApp[] = [];
  let prefix = '';
  let nginxPort = 0;
  let server: ChildProcess | undefined;
  const sockets: HeraldSocket[] = [];

  afterAll(async () => {
    await Promise.all(sockets.map((socket) => socket.close()));
    if (server && server.exitCode === null) {
      const exited = new Promise((resolve) => server!.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
    if (prefix) rmSync(prefix, { recursive: true, force: true });
    for (const app of apps) await app.close();
    if (apps.length) await destroyIsolation(isolation);
  });

  it('passes `nginx -t` and proxies REST and WebSocket upgrades to both instances', async () => {
    if (!nginx) {
      console.warn(
        'SKIPPED: nginx is not installed (apt-get install -y nginx-light); ' +
          'deploy/nginx.conf was not checked with `nginx -t` nor run',
      );
      return;
    }
    apps = [await startTestApp(isolation), await startTestApp(isolation)];
    const port = await freePort();
    prefix = mkdtempSync(join(tmpdir(), 'herald-nginx-'));
    const upstreamPorts = apps.map((app) => new URL(app.url).port);
    const conf = read('deploy/nginx.conf')
      .replace('herald-1:3000', `127.0.0.1:${upstreamPorts[0]}`)
      .replace('herald-2:3000', `127.0.0.1:${upstreamPorts[1]}`)
      .replace(/listen 80;/, `listen 127.0.0.1:${port};`)
      .replace('access_log /dev/stdout', `access_log ${join(prefix, 'access.log')}`)
      .replace(
        'error_log /dev/stderr warn;',
        `pid ${join(prefix, 'nginx.pid')};\nerror_log /dev/stderr warn;`,
      )
      .replaceAll('error_log /dev/stderr', `error_log ${join(prefix, 'error.log')}`);
    const file = join(prefix, 'nginx.conf');
    writeFileSync(file, conf);

    const check = spawnSync(nginx, ['-t', '-c', file, '-p', prefix], { encoding: 'utf8' });
    expect([check.status, check.stderr]).toEqual([
      0,
      expect.stringContaining('test is successful'),
    ]);

    server = spawn(nginx, ['-c', file, '-p', prefix, '-g', 'daemon off;'], { stdio: 'ignore' });
    nginxPort = port;
    const base = `http://127.0.0.1:${port}`;
    await eventually(
      async () => (await request(base).get('/health/live')).status === 200,
      5000,
      'nginx',
    );

    // least_conn: the second socket goes to the instance without one
    const token = tokenFor('nginx-user');
    for (let i = 0; i < 2; i++) {
      sockets.push(await HeraldSocket.connect(`ws://127.0.0.1:${port}/ws`, token));
      await eventually(
        () => apps.reduce((n, app) => n + app.app.get(ConnectionRegistry).size, 0) === i + 1,
        2000,
        'the socket to register',
      );
    }
    expect(apps.map((app) => app.app.get(ConnectionRegistry).size)).toEqual([1, 1]);

    const published = await request(base)
      .post('/v1/notifications')
      .set('Authorization', `Bearer ${serviceToken()}`)
      .set('X-Request-Id', 'through-nginx')
      .send({ userIds: ['nginx-user'], type: 't', title: 'via nginx' });
    expect(published.status).toBe(202);
    expect(published.headers['x-request-id']).toBe('through-nginx');
    for (const socket of sockets) {
      expect(await socket.next('notification')).toMatchObject({ title: 'via nginx' });
    }
    expect((await request(base).get('/metrics')).status).toBe(404);
    // a WebSocket is logged when it ends
    for (const socket of sockets.splice(0)) {
      await socket.close();
    }
    const accessLog = await eventually(
      () => {
        const text = readFileSync(join(prefix, 'access.log'), 'utf8');
        return text.includes('GET /ws ') ? text : undefined;
      },
      3000,
      'the WebSocket lines in the access log',
    );
    expect(accessLog.match(/"GET \/ws HTTP\/1\.1" 101 /g)).toHaveLength(2);
    expect(accessLog).not.toContain(token);
  }, 30000);

  it('keeps /metrics closed however the path is spelled', async () => {
    if (!nginxPort) return; // nginx is not installed (see above)
    // the control: each instance serves it to whoever reaches it directly
    expect((await raw(new URL(apps[0].url).port, '/metrics')).body).toContain('herald_');
    for (const path of [
      '/metrics',
      '/metrics/',
      '/METRICS',
      '/Metrics/',
      '/metrics?x=1',
      '/metrics;x',
      '//metrics',
      '///metrics/',
      '/%6detrics',
      '/%6D%45TRICS',
      '/%2fmetrics',
      '/./metrics',
      '/%2e/metrics',
      '/v1/%2E%2E/metrics',
      '/v1/../metrics',
    ]) {
      const response = await raw(nginxPort, path);
      expect([path, response.status]).toEqual([path, 404]);
      expect(response.body).not.toContain('herald_');
    }
  });

  it('keeps a token in the query out of the access and error logs', async () => {
    if (!nginxPort) return;
    const tooLarge = { 'content-length': String(3 * 1024 * 1024) };
    // GET /ws?token= stays (compatibility); its location logs no request line below crit
    expect((await raw(nginxPort, '/ws?token=SECRET-WS', tooLarge, 'POST')).status).toBe(413);
    // anywhere else a token in the query is refused before any log entry could name it
    for (const [path, method] of [
      ['/v1/notifications?token=SECRET-GET', 'GET'],
      ['/v1/notifications?a=1&access_token=SECRET-ACCESS', 'GET'],
      ['/v1/notifications?%74oken=SECRET-ENCODED', 'POST'],
      ['/WS?token=SECRET-CASE', 'GET'],
      ['/ws/?token=SECRET-SLASH', 'GET'],
    ]) {
      const response = await raw(nginxPort, path, tooLarge, method);
      expect([path, response.status]).toEqual([path, 400]);
    }
    // other query strings pass (the control), and error lines do carry request lines
    expect((await raw(nginxPort, '/health/live?tokens=1&mytoken=2')).status).toBe(200);
    expect((await raw(nginxPort, '/v1/x?probe=CONTROL-LINE', tooLarge, 'POST')).status).toBe(413);
    const errorLog = await eventually(
      () => {
        const text = readFileSync(join(prefix, 'error.log'), 'utf8');
        return text.includes('CONTROL-LINE') ? text : undefined;
      },
      3000,
      'the control line in the error log',
    );
    const accessLog = readFileSync(join(prefix, 'access.log'), 'utf8');
    for (const log of [errorLog, accessLog]) expect(log).not.toMatch(/SECRET-/);
  });
});

/** A request sent exactly as written (no URL normalization by the client). */
function raw(
  port: string | number,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    // A declared body that is never sent: nginx answers 413/400 from the headers alone.
    if (headers['content-length']) req.flushHeaders();
    else req.end();
  });
}
