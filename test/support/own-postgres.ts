/**
 * A throwaway Postgres server of a test's own (initdb + pg_ctl on a free port, in a temp dir),
 * so the test can take it away and bring it back without touching the shared one. Postgres
 * refuses to run as root, so when the tests run as root its binaries run as the `postgres` OS
 * user (`runuser`), with a data dir that user owns.
 */
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { freePort } from './redis-server';

const run = promisify(execFile);

/** The newest installed server's bin dir (Debian: /usr/lib/postgresql/<major>/bin). */
function binDir(): string {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((name) => existsSync(join(root, name, 'bin', 'pg_ctl')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!majors.length) throw new Error(`no Postgres server binaries under ${root}`);
  return join(root, majors[0], 'bin');
}

export class OwnPostgres {
  private readonly bin = binDir();
  private readonly asRoot = userInfo().uid === 0;

  private constructor(
    readonly port: number,
    /** Temp dir holding the cluster (`data/`), its socket and its log. */
    readonly dir: string,
  ) {}

  /** initdb (trust auth, superuser `postgres`) and start; resolves once it accepts queries. */
  static async start(): Promise<OwnPostgres> {
    const dir = mkdtempSync(join(tmpdir(), 'herald-pg-'));
    const server = new OwnPostgres(await freePort(), dir);
    if (server.asRoot) {
      const { uid, gid } = await server.postgresUser();
      chownSync(dir, uid, gid);
    }
    await server.pg('initdb', [
      '-D',
      server.dataDir,
      '-U',
      'postgres',
      '--auth=trust',
      '--no-sync',
      '--encoding=UTF8',
    ]);
    await server.start();
    return server;
  }

  get dataDir(): string {
    return join(this.dir, 'data');
  }

  /** A connection URL for `database` on this server. */
  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** Starts (again) on the same port and data dir; resolves once it answers a query. */
  async start(): Promise<void> {
    // fsync off: the data only has to survive a server crash, not an OS crash, and it saves
    // seconds on a busy machine.
    const options = `-p ${this.port} -c listen_addresses=127.0.0.1 -k ${this.dir} -c fsync=off`;
    await this.pg('pg_ctl', [
      '-D',
      this.dataDir,
      '-l',
      join(this.dir, 'postgres.log'),
      '-o',
      options,
      '-w',
      '-t',
      '30',
      'start',
    ]);
    const deadline = Date.now() + 10000;
    for (;;) {
      const client = new Client({ connectionString: this.url(), connectionTimeoutMillis: 1000 });
      try {
        await client.connect();
        await client.query('SELECT 1');
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
      } finally {
        await client.end().catch(() => undefined);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** `pg_ctl stop -m immediate`: the server goes away at once, as in a crash. */
  async stop(): Promise<void> {
    if (!existsSync(join(this.dataDir, 'postmaster.pid'))) return;
    await this.pg('pg_ctl', ['-D', this.dataDir, '-m', 'immediate', '-w', 'stop']);
  }

  /** Stops the server and removes its files. */
  async destroy(): Promise<void> {
    await this.stop().catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** The server log so far (for failure messages). */
  log(): string {
    const path = join(this.dir, 'postgres.log');
    return existsSync(path) ? readFileSync(path, 'utf8') : '';
  }

  private async pg(program: string, args: string[]): Promise<void> {
    const path = join(this.bin, program);
    try {
      // cwd: the postgres user may not be allowed into the test's working directory.
      if (this.asRoot)
        await run('runuser', ['-u', 'postgres', '--', path, ...args], { cwd: this.dir });
      else await run(path, args, { cwd: this.dir });
    } catch (error) {
      const { stderr, stdout } = error as { stderr?: string; stdout?: string };
      throw new Error(`${program} ${args.at(-1)} failed: ${stderr || stdout || String(error)}`, {
        cause: error,
      });
    }
  }

  private async postgresUser(): Promise<{ uid: number; gid: number }> {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: group } = await run('id', ['-g', 'postgres']);
    return { uid: Number(stdout.trim()), gid: Number(group.trim()) };
  }
}
