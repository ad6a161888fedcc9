/**
 * deploy/nginx.conf: when nginx is installed, `nginx -t` validates the config and then it runs
 * in front of two real Herald instances (WebSockets included): balancing, /metrics closed
 * however the path is spelled, and no token from a query string in its logs.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { HeraldSocket } from '../src/client';
import { ConnectionRegistry } from '../src/realtime/connection-registry';
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
