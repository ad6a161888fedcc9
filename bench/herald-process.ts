/**
 * Herald under test: a child process running the built app as `npm run start:prod` runs it
 * (the same Node flags, shippedNodeFlags) in production mode against the local Postgres and Redis, in a database and Redis prefix of its
 * own that are wiped before every run. Also reads its metrics and its CPU time. The same for the
 * reference service (bench/reference/server.ts, `target: 'reference'`), in its own database.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { MetricsSnapshot } from './prometheus';
import { waitFor } from './stats';
import { inBackground } from './background';

export interface HeraldOptions {
  root: string;
  outDir: string;
  /** Extra server environment (`--env KEY=VALUE`), e.g. QUEUE_CONCURRENCY. */
  env: Record<string, string>;
  /** Extra node flags for the server, e.g. `--cpu-prof`. */
  nodeArgs: string[];
  /** What runs: Herald (default) or the reference service. */
  target?: BenchTarget;
}

export type BenchTarget = 'herald' | 'reference';

export const BENCH_ORIGIN = 'http://127.0.0.1:8080';
const ADMIN_DATABASE_URL =
  process.env.BENCH_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const STORAGE: Record<BenchTarget, { database: string; prefix: string }> = {
  herald: { database: 'herald_bench', prefix: 'herald-bench' },
  reference: { database: 'herald_bench_reference', prefix: 'herald-bench-reference' },
};

export class HeraldProcess {
  readonly databaseUrl: string;
  private readonly storage: { database: string; prefix: string };
  private child: ChildProcess | null = null;
  private exited: Promise<number | null> = Promise.resolve(null);
  url = '';
  wsUrl = '';

  constructor(
    private readonly options: HeraldOptions,
    readonly jwtSecret: string,
    private readonly index = 0,
    /** This instance's own: environment over `options.env`, run in the background, a log name. */
    private readonly own: { env?: Record<string, string>; background?: boolean; log?: string } = {},
  ) {
    this.storage = STORAGE[options.target ?? 'herald'];
    const url = new URL(ADMIN_DATABASE_URL);
    url.pathname = `/${this.storage.database}`;
    this.databaseUrl = url.toString();
  }

  get pid(): number {
    return this.child?.pid ?? 0;
  }

  /** Starts the server and waits until it is ready. */
  async start(): Promise<void> {
    const port = await freePort();
    this.url = `http://127.0.0.1:${port}`;
    this.wsUrl = `ws://127.0.0.1:${port}/ws`;
    mkdirSync(this.options.outDir, { recursive: true });
    const name = this.own.log ?? (this.index === 0 ? 'server.log' : `server-${this.index}.log`);
    const log = createWriteStream(join(this.options.outDir, name), { flags: 'a' });
    const reference = this.options.target === 'reference';
    const entry = reference ? this.buildReference() : join(this.options.root, 'dist/src/main.js');
    const flags = reference ? [] : shippedNodeFlags(this.options.root);
    // `--node-arg` comes after the shipped flags: the last of a flag given twice wins.
    const command = [process.execPath, ...flags, ...this.options.nodeArgs, entry];
    // In the background (nice or SCHED_IDLE), which execs node: the pid is the server's own.
    const line = this.own.background ? inBackground(command) : command;
    this.child = spawn(line[0], line.slice(1), {
      cwd: this.options.root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH,
        // The reference is compiled into the run's directory: it finds packages here.
        ...(reference ? { NODE_PATH: join(this.options.root, 'node_modules') } : {}),
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: String(port),
        LOG_LEVEL: 'warn',
        DATABASE_URL: this.databaseUrl,
        REDIS_URL,
        REDIS_PREFIX: this.storage.prefix,
        JWT_SECRET: this.jwtSecret,
        ALLOWED_ORIGINS: BENCH_ORIGIN,
        RATE_LIMIT_ENABLED: 'false',
        ...this.options.env,
        ...this.own.env,
      },
    });
    this.child.stdout?.pipe(log);
    this.child.stderr?.pipe(log);
    const child = this.child;
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    const ready = await waitFor(
      async () => {
        if (child.exitCode !== null)
          throw new Error(`herald exited with ${child.exitCode}, see server.log`);
        return (await this.fetchStatus('/health/ready')) === 200;
      },
      60_000,
      200,
    );
    if (!ready) throw new Error('herald did not become ready within 60 s');
  }

  /** The reference service as plain CommonJS (no TypeScript loader in the measured process). */
  private buildReference(): string {
    const outfile = join(this.options.outDir, 'reference-server.cjs');
    buildSync({
      entryPoints: [join(__dirname, 'reference', 'server.ts')],
      outfile,
      platform: 'node',
      format: 'cjs',
      target: 'node24',
      logLevel: 'error',
    });
    return outfile;
  }

  /** SIGTERM (graceful shutdown: also writes a --cpu-prof profile), SIGKILL after 30 s. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await this.exited;
    clearTimeout(timer);
  }

  async metrics(): Promise<MetricsSnapshot> {
    const response = await fetch(`${this.url}/metrics`);
    return MetricsSnapshot.parse(await response.text());
  }

  /** User + system CPU seconds the server process has used so far. */
  cpuSeconds(): number {
    return processCpuSeconds(this.pid);
  }

  /** Postgres backends serving the bench database (Herald's pool). */
  async postgresBackends(): Promise<number[]> {
    const client = new Client({ connectionString: ADMIN_DATABASE_URL });
    await client.connect();
    try {
      const result = await client.query<{ pid: number }>(
        'SELECT pid FROM pg_stat_activity WHERE datname = $1',
        [this.storage.database],
      );
      return result.rows.map((row) => row.pid);
    } finally {
      await client.end();
    }
  }

  /** Runs SQL against the bench database. */
  async query<T extends object>(sql: string, params: unknown[] = []): Promise<T[]> {
    const client = new Client({ connectionString: this.databaseUrl });
    await client.connect();
    try {
      return (await client.query<T>(sql, params)).rows;
    } finally {
      await client.end();
    }
  }

  private async fetchStatus(path: string): Promise<number> {
    try {
      const response = await fetch(`${this.url}${path}`);
      await response.arrayBuffer();
      return response.status;
    } catch {
      return 0;
    }
  }
}

/** utime + stime of a process from /proc, in seconds (0 when it is gone). */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // clock ticks, USER_HZ = 100
  } catch {
    return 0;
  }
}

/** Drops the target's bench database and deletes the Redis keys under its prefix. */
export async function resetStorage(target: BenchTarget): Promise<void> {
  const storage = STORAGE[target];
  const pg = new Client({ connectionString: ADMIN_DATABASE_URL });
  await pg.connect();
  try {
    await pg.query(`DROP DATABASE IF EXISTS "${storage.database}" WITH (FORCE)`);
  } finally {
    await pg.end();
  }
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${storage.prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * The Node flags of package.json's `start:prod` (the Dockerfile runs the same, checked by
 * test/ops-dockerfile): the bench measures Herald as it is run in production.
 */
export function shippedNodeFlags(root: string): string[] {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  return pkg.scripts['start:prod'].split(/\s+/).filter((word) => word.startsWith('--'));
}
