/** What the bench ran on: CPU, memory, versions, load. For bench/RESULTS.md. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg, release, totalmem } from 'node:os';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { round1 } from './stats';

export async function machineInfo(): Promise<Record<string, unknown>> {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const pg = new Client({
    connectionString:
      process.env.BENCH_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  });
  await pg.connect();
  const settings = await pg.query<{ name: string; setting: string }>(
    `SELECT name, current_setting(name) AS setting FROM pg_settings
     WHERE name IN ('server_version', 'shared_buffers', 'synchronous_commit', 'fsync',
                    'wal_sync_method', 'commit_delay', 'max_connections')`,
  );
  await pg.end();
  const redis = new Redis(process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379');
  const info = await redis.info('server');
  const persistence = await redis.config('GET', 'appendonly');
  redis.disconnect();
  return {
    nproc: availableParallelism(),
    cpuModel: /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1] ?? 'unknown',
    cpuMHz: Number(/cpu MHz\s*:\s*(.*)/.exec(cpuinfo)?.[1] ?? 0),
    memoryGiB: round1(totalmem() / 1024 ** 3),
    kernel: release(),
    node: process.version,
    postgres: Object.fromEntries(settings.rows.map((row) => [row.name, row.setting])),
    redis: {
      version: /redis_version:(\S+)/.exec(info)?.[1],
      appendonly: (persistence as string[])[1],
    },
    ulimitN: execFileSync('bash', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim(),
    loadavg: loadavg().map(round1),
  };
}
