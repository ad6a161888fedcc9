/**
 * The benchmark's reference: a minimal hand-written service doing Herald's core job, to compare
 * Herald with (`npm run bench -- unicast --compare`). node:http + ws, an HS256 JWT check on REST
 * and on the WebSocket upgrade (the same secret and claims as Herald's bench tokens), one
 * Postgres INSERT per publish (table `notifications` in a database of its own), answered 202 once
 * the row is committed, then one Redis PUBLISH per recipient so that every instance delivers to
 * the user's sockets. No queue, no retries, no idempotency, no per-user seq, no load shedding:
 * what a team writes in an afternoon. It speaks just enough of Herald's protocol for the bench
 * clients (`herald.v1`, `bearer.<token>`, `ready`, `notification`).
 * Length: one file on purpose: the reference stands for what a team writes in an afternoon, read
 * top to bottom; split into modules it would no longer be that.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createSecretKey } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import jwt from 'jsonwebtoken';
import { Client, Pool } from 'pg';
import { WebSocketServer, type WebSocket } from 'ws';

const env = process.env;
const port = Number(env.PORT ?? 3100);
const databaseUrl = env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/herald_reference';
const channel = `${env.REDIS_PREFIX ?? 'herald-reference'}:deliver`;
const key = createSecretKey(Buffer.from(env.JWT_SECRET ?? 'reference-secret', 'utf8'));
const origins = new Set((env.ALLOWED_ORIGINS ?? '').split(',').filter(Boolean));
const MAX_BODY = 1024 * 1024;

interface Claims {
  sub?: unknown;
  scope?: unknown;
}

function verify(token: string | undefined): Claims | null {
  if (!token) return null;
  try {
    const claims = jwt.verify(token, key, { algorithms: ['HS256'] });
    return typeof claims === 'object' && typeof claims.sub === 'string' ? claims : null;
  } catch {
    return null;
  }
}

async function createDatabase(): Promise<void> {
  const url = new URL(databaseUrl);
  const name = url.pathname.slice(1);
  url.pathname = '/postgres';
  const admin = new Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await admin.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
  } finally {
    await admin.end();
  }
}

const pool = new Pool({ connectionString: databaseUrl, max: 10 });
const publisher = new Redis(env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const subscriber = new Redis(env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const sockets = new Map<string, Set<WebSocket>>();
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();

interface Publish {
  userIds: string[];
  type: string;
  title: string;
  body?: string;
  data?: Record<string, unknown>;
}

function isPublish(value: unknown): value is Publish {
  const p = value as Publish | null;
  return (
    !!p &&
    Array.isArray(p.userIds) &&
    p.userIds.length > 0 &&
    p.userIds.length <= 10_000 &&
    p.userIds.every((u) => typeof u === 'string') &&
    typeof p.type === 'string' &&
    typeof p.title === 'string'
  );
}

/** One INSERT for every recipient of every publish in the request; ids in order. */
async function store(
  publishes: Publish[],
): Promise<{ id: string; userId: string; frame: string }[]> {
  const rows = publishes.flatMap((p) => p.userIds.map((userId) => ({ p, userId })));
  const params: unknown[] = [];
  const values = rows.map(({ p, userId }, k) => {
    params.push(userId, p.type, p.title, p.body ?? '', JSON.stringify(p.data ?? {}));
    const b = k * 5;
    return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}::jsonb)`;
  });
  const result = await pool.query<{ id: string; created_at: Date }>(
    `INSERT INTO notifications (user_id, type, title, body, data) VALUES ${values.join(', ')}
     RETURNING id, created_at`,
    params,
  );
  return result.rows.map((row, k) => {
    const { p, userId } = rows[k];
    const frame = JSON.stringify({
      event: 'notification',
      data: {
        id: row.id,
        seq: Number(row.id),
        type: p.type,
        title: p.title,
        body: p.body ?? '',
        data: p.data ?? {},
        createdAt: row.created_at.toISOString(),
      },
    });
    return { id: row.id, userId, frame };
  });
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        resolve(null);
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(null));
  });
}

async function publish(req: IncomingMessage, res: ServerResponse, batch: boolean): Promise<void> {
  const claims = verify(req.headers.authorization?.replace(/^Bearer /, ''));
  if (!claims) return answer(res, 401, { statusCode: 401, message: 'unauthorized' });
  const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ') : [];
  if (!scopes.includes('notifications:write'))
    return answer(res, 403, { statusCode: 403, message: 'notifications:write required' });
  const text = await readBody(req);
  if (text === null) return answer(res, 413, { statusCode: 413, message: 'body too large' });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return answer(res, 400, { statusCode: 400, message: 'body is not valid JSON' });
  }
  const publishes = batch ? (parsed as { notifications?: unknown[] }).notifications : [parsed];
  if (!Array.isArray(publishes) || publishes.length === 0 || !publishes.every(isPublish))
    return answer(res, 400, { statusCode: 400, message: 'userIds, type and title are required' });
  let stored: Awaited<ReturnType<typeof store>>;
  try {
    stored = await store(publishes);
  } catch (error) {
    return answer(res, 503, { statusCode: 503, message: (error as Error).message });
  }
  const pipeline = publisher.pipeline();
  for (const row of stored) pipeline.publish(channel, `${row.userId}\n${row.frame}`);
  void pipeline.exec().catch(() => undefined);
  const ids = stored.map((row) => ({ jobId: row.id, status: 'queued' }));
  answer(res, 202, batch ? { items: ids } : ids[0]);
}

function metrics(res: ServerResponse): void {
  const memory = process.memoryUsage();
  const lines = [
    `process_resident_memory_bytes ${memory.rss}`,
    `nodejs_heap_size_used_bytes ${memory.heapUsed}`,
    `nodejs_eventloop_lag_max_seconds ${loopDelay.max / 1e9}`,
    `reference_ws_connections ${[...sockets.values()].reduce((n, set) => n + set.size, 0)}`,
  ];
  loopDelay.reset();
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end(`${lines.join('\n')}\n`);
}

const server = createServer((req, res) => {
  const path = req.url?.split('?')[0];
  if (req.method === 'POST' && path === '/v1/notifications') void publish(req, res, false);
  else if (req.method === 'POST' && path === '/v1/notifications/batch')
    void publish(req, res, true);
  else if (req.method === 'GET' && path === '/health/ready') answer(res, 200, { status: 'ok' });
  else if (req.method === 'GET' && path === '/metrics') metrics(res);
  else answer(res, 404, { statusCode: 404, message: 'not found' });
});

const wss = new WebSocketServer({
  noServer: true,
  perMessageDeflate: false,
  handleProtocols: (protocols) => (protocols.has('herald.v1') ? 'herald.v1' : false),
});

server.on('upgrade', (req, socket, head) => {
  const protocols = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  const claims = verify(protocols.find((p) => p.startsWith('bearer.'))?.slice('bearer.'.length));
  const origin = req.headers.origin;
  const refuse = (status: number) => {
    socket.end(`HTTP/1.1 ${status} Refused\r\nConnection: close\r\n\r\n`);
  };
  if (req.url?.split('?')[0] !== '/ws') return refuse(404);
  if (origin && origins.size && !origins.has(origin)) return refuse(403);
  if (!claims) return refuse(401);
  const userId = claims.sub as string;
  wss.handleUpgrade(req, socket, head, (ws) => {
    let own = sockets.get(userId);
    if (!own) sockets.set(userId, (own = new Set()));
    own.add(ws);
    ws.on('close', () => {
      own.delete(ws);
      if (own.size === 0 && sockets.get(userId) === own) sockets.delete(userId);
    });
    ws.on('error', () => ws.terminate());
    ws.send(JSON.stringify({ event: 'ready', data: { userId, lastSeq: 0 } }));
  });
});

subscriber.on('message', (_channel: string, message: string) => {
  const newline = message.indexOf('\n');
  const own = sockets.get(message.slice(0, newline));
  if (!own) return;
  const frame = message.slice(newline + 1);
  for (const ws of own) ws.send(frame);
});

async function main(): Promise<void> {
  await createDatabase();
  await pool.query(
    `CREATE TABLE IF NOT EXISTS notifications (
       id bigserial PRIMARY KEY,
       user_id varchar(128) NOT NULL,
       type varchar(100) NOT NULL,
       title varchar(500) NOT NULL,
       body text NOT NULL,
       data jsonb NOT NULL,
       read_at timestamptz,
       created_at timestamptz NOT NULL DEFAULT now())`,
  );
  await pool.query('CREATE INDEX IF NOT EXISTS notifications_user ON notifications (user_id, id)');
  await subscriber.subscribe(channel);
  server.listen(port, env.HOST ?? '127.0.0.1');
}

const shutdown = () => {
  for (const own of sockets.values()) for (const ws of own) ws.close(1001);
  server.close();
  void Promise.allSettled([pool.end(), publisher.quit(), subscriber.quit()]).then(() =>
    process.exit(0),
  );
  setTimeout(() => process.exit(0), 5000).unref();
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
