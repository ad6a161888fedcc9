/**
 * Herald as a real process (`node <build>/src/main.js`), for tests that kill or signal it.
 *
 * The build is the suite's own: compiled once from the current sources into
 * test-artifacts/herald-build/<hash of the sources>, so it is never stale and never races
 * with `npm run build` or other engineers' use of dist/ (which `nest build` deletes first).
 * Two suites that need it at once build it once, under a lock file.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../support/redis-server';
import { createFromTemplate } from '../../support/template-database';
import { testEnv, type Isolation } from '../../support/test-app';

const ROOT = join(__dirname, '..', '..', '..');
const BUILDS = join(ROOT, 'test-artifacts', 'herald-build');
const run = promisify(execFile);

function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...sourceFiles(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) files.push(path);
  }
  return files.sort();
}

function sourceHash(): string {
  const hash = createHash('sha256');
  for (const dir of ['src', 'migrations']) {
    for (const file of sourceFiles(join(ROOT, dir))) {
      hash.update(relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
    }
  }
  for (const file of ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json']) {
    hash.update(readFileSync(join(ROOT, file)));
  }
  return hash.digest('hex').slice(0, 16);
}

/** The path of main.js built from the current sources (built now if needed). */
export async function heraldBuild(): Promise<string> {
  const out = join(BUILDS, sourceHash());
  const main = join(out, 'src', 'main.js');
  mkdirSync(BUILDS, { recursive: true });
  const lock = join(BUILDS, 'build.lock');
  const deadline = Date.now() + 180_000;
  while (!existsSync(main)) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
    } catch {
      // Someone else builds: wait for them (a lock older than 3 minutes is a leftover).
      const since = statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now();
      if (Date.now() - since > 180_000) rmSync(lock, { force: true });
      if (Date.now() > deadline) throw new Error('timed out waiting for the Herald build');
      await new Promise((resolve) => setTimeout(resolve, 500));
      continue;
    }
    try {
      if (!existsSync(main)) await compile(out);
    } finally {
      unlinkSync(lock);
    }
  }
  return main;
}

async function compile(out: string): Promise<void> {
  const tmp = join(BUILDS, `tmp-${randomBytes(4).toString('hex')}`);
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    await run(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', tmp], {
      cwd: ROOT,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    // Type errors still emit JavaScript; only a build without main.js is a failure.
    if (!existsSync(join(tmp, 'src', 'main.js'))) {
      const output = (error as { stdout?: string }).stdout || String(error);
      throw new Error(`Herald build failed: ${output}`, {
        cause: error,
      });
    }
  }
  // Builds of older sources are of no use once no suite still runs them.
  for (const name of readdirSync(BUILDS)) {
    const path = join(BUILDS, name);
    if (name !== 'build.lock' && Date.now() - statSync(path).mtimeMs > 30 * 60_000) {
      rmSync(path, { recursive: true, force: true });
    }
  }
  renameSync(tmp, out);
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** One Herald process of a test's own. */
export class HeraldProcess {
  readonly exited: Promise<ExitStatus>;
  private readonly output: string[] = [];

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const keep = (chunk: Buffer) => {
      this.output.push(chunk.toString('utf8'));
      if (this.output.length > 200) this.output.shift();
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  /**
   * Spawns Herald with testEnv(isolation, env) on a free port and resolves once
   * `/health/ready` answers 200.
   */
  static async start(
    isolation: Isolation,
    env: Record<string, string> = {},
  ): Promise<HeraldProcess> {
    const main = await heraldBuild();
    await createFromTemplate(isolation.database, env);
    const port = await freePort();
    const child = spawn(process.execPath, [main], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        ...testEnv(isolation, { LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn', ...env }),
        HOST: '127.0.0.1',
        PORT: String(port),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const herald = new HeraldProcess(child, port);
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`Herald exited during start (${child.exitCode}):\n${herald.logs()}`);
      }
      try {
        const response = await fetch(`${herald.url}/health/ready`, {
          signal: AbortSignal.timeout(2000),
        });
        if (response.status === 200) return herald;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`Herald did not become ready within 60 s:\n${herald.logs()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}/ws`;
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** SIGKILL (if still running) and wait for the exit. */
  async kill(): Promise<ExitStatus> {
    if (this.running) this.child.kill('SIGKILL');
    return this.exited;
  }

  /** The last lines the process wrote (for failure messages). */
  logs(): string {
    return this.output.join('').split('\n').slice(-60).join('\n');
  }
}
