/** A throwaway redis-server of a test's own, so the test can stop and restart it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

export interface OwnRedisOptions {
  /**
   * Persist like production: AOF on, fsynced on every write (`--appendonly yes --appendfsync
   * always`), in a temp dir of its own that survives `stop()`/`start()` and is removed by
   * `destroy()`. Without it (the default) the server keeps nothing on disk.
   */
  persistent?: boolean;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export class OwnRedis {
  private process: ChildProcess | null = null;

  private constructor(
    readonly port: number,
    /** Where the AOF lives (persistent servers only). */
    readonly dir: string | null = null,
  ) {}

  static async start(options: OwnRedisOptions = {}): Promise<OwnRedis> {
    const dir = options.persistent ? mkdtempSync(join(tmpdir(), 'herald-redis-')) : null;
    const redis = new OwnRedis(await freePort(), dir);
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts (again) on the same port and resolves once it answers PING. */
  async start(): Promise<void> {
    const persistence = this.dir
      ? ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', this.dir]
      : ['--appendonly', 'no'];
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', ...persistence];
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    this.process = child;
    const deadline = Date.now() + 5000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
      const client = new Redis(this.url, { lazyConnect: true, retryStrategy: () => null });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.ping();
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
      } finally {
        client.disconnect();
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Kills the server and resolves once it is gone. */
  async stop(): Promise<void> {
    const child = this.process;
    this.process = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** Stops the server and removes its data dir (persistent servers). */
  async destroy(): Promise<void> {
    await this.stop();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}
