/**
 * One call per suite: `const herald = useTestApp()` at the top of a spec (or a describe)
 * starts the real app before its tests (own database and Redis prefix, test-app.ts) and, after
 * them, closes every socket, database connection and instance it opened and drops the
 * isolation. It hands out typed clients (src/client) for the service and for users, and the
 * data factories (factories.ts) bound to this app.
 *
 *   const herald = useTestApp({ env: { WS_GAP_TIMEOUT_MS: '50' }, instances: 2 });
 *   it('delivers', async () => {
 *     const alice = herald.user('alice');
 *     const socket = await herald.connect(alice);
 *     await herald.publish(alice, { title: 'Hi' });
 *     expect((await socket.next('notification')).title).toBe('Hi');
 *   });
 */
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { basename } from 'node:path';
import type { Client } from 'pg';
import { NOTIFICATIONS_QUEUE } from '../../src/notifications/notifications.jobs';
import {
  HeraldClient,
  type HeraldClientOptions,
  type HeraldSocket,
  type SocketOptions,
} from '../../src/client';
import type { AppOptions } from '../../src/app.factory';
import { Factories } from './factories';
import {
  destroyIsolation,
  eventually,
  newIsolation,
  sql,
  startTestApp,
  type Isolation,
  type TestApp,
} from './test-app';
import { serviceToken, tokenFor, type TokenOptions } from './tokens';

export interface UseTestAppOptions {
  /** Names the isolation (default: the spec file's name). */
  name?: string;
  /**
   * Configuration overrides for every instance (over test-app.ts's `testEnv`); a function is
   * called as each instance starts (for values known only then, e.g. a helper server's port).
   */
  env?: Record<string, string> | (() => Record<string, string>);
  appOptions?: AppOptions;
  /**
   * Instances started before the tests, sharing one isolation like one deployment (default 1;
   * 0 when the suite starts its own with `startInstance`).
   */
  instances?: number;
  /** Close the sockets opened through `connect` after each test, not only after all. */
  closeSocketsAfterEach?: boolean;
  /** For the beforeAll that starts and the afterAll that closes (default 60 s each). */
  hookTimeoutMs?: number;
}

/** Which instance a client or socket talks to: an index into `instances`, or the app itself. */
export type On = number | TestApp;

export interface UserClientOptions extends TokenOptions {
  on?: On;
}

export interface UserSocketOptions extends SocketOptions {
  on?: On;
  token?: TokenOptions;
}

const HOOK_TIMEOUT_MS = 60_000;
const SERVICE_PUBLISH_RETRIES = 3;

export class TestHerald extends Factories {
  readonly isolation: Isolation;
  readonly instances: TestApp[] = [];
  private readonly sockets = new Set<HeraldSocket>();
  private readonly closers: (() => Promise<unknown>)[] = [];
  private database: Promise<Client> | undefined;

  constructor(private readonly options: UseTestAppOptions) {
    super();
    this.isolation = newIsolation(options.name ?? suiteName());
  }

  /** The first instance. */
  get app(): TestApp {
    const app = this.instances[0];
    if (!app) throw new Error('useTestApp: the app starts in beforeAll; use it inside tests');
    return app;
  }

  get url(): string {
    return this.app.url;
  }

  /**
   * A client with a `notifications:write` service token, on the first instance. Like a
   * well-behaved publisher it tries a publish answered 503/429 again (keyed, so never stored
   * twice): on two busy cores a publish can miss PUBLISH_ACCEPT_TIMEOUT_MS, and a suite that is
   * not about overload must not fail on that. Suites about the 503s make raw requests.
   */
  get service(): HeraldClient {
    return this.client(serviceToken(), 0, { publishRetries: SERVICE_PUBLISH_RETRIES });
  }

  /** A client for any token (or none), on the first instance or `on`. */
  client(
    token?: string,
    on: On = 0,
    options: Pick<HeraldClientOptions, 'publishRetries'> = {},
  ): HeraldClient {
    return new HeraldClient({
      baseUrl: this.instance(on).url,
      token,
      onSocket: (socket) => this.track(socket),
      ...options,
    });
  }

  /** A client for the user `userId` (a token from tokens.ts; `scope`, `expiresIn`… allowed). */
  as(userId: string, options: UserClientOptions = {}): HeraldClient {
    const { on, ...token } = options;
    return this.client(tokenFor(userId, token), on);
  }

  /** A socket of `userId`, closed after the suite (or after the test). */
  connect(userId: string, options: UserSocketOptions = {}): Promise<HeraldSocket> {
    const { on, token, ...socket } = options;
    return this.as(userId, { ...token, on }).connect(socket);
  }

  /** The provider `token` (a class, or a string token such as a queue's) of an instance. */
  get<T>(token: string | symbol | (abstract new (...args: never[]) => T), on: On = 0): T {
    return this.instance(on).app.get<T>(token);
  }

  /**
   * Resolves once every publish job queued so far has run (a 202 means its job is in Redis):
   * what a publish job decides (rows stored, pushes queued) is decided by then.
   */
  publishJobsDone(timeoutMs = 10_000): Promise<void> {
    return this.queueIdle(NOTIFICATIONS_QUEUE, timeoutMs, 'the queued publish jobs to finish');
  }

  /** Resolves once Bull queue `name` has no job waiting, running or delayed. */
  async queueIdle(
    name: string,
    timeoutMs = 10_000,
    what = `the ${name} queue to run what it holds`,
  ): Promise<void> {
    const queue = this.get<Queue>(getQueueToken(name));
    await eventually(
      async () => {
        const counts = await queue.getJobCounts();
        return counts.waiting + counts.active + counts.delayed === 0;
      },
      timeoutMs,
      what,
    );
  }

  /** One SQL connection to the suite's database, closed after the suite. */
  db(): Promise<Client> {
    this.database ??= sql(this.isolation);
    return this.database;
  }

  /** Another instance on the same isolation (a restart, a second node); closed after the suite. */
  async startInstance(
    env: Record<string, string> = {},
    appOptions: AppOptions = this.options.appOptions ?? {},
  ): Promise<TestApp> {
    const base = this.options.env;
    const started = await startTestApp(
      this.isolation,
      { ...(typeof base === 'function' ? base() : base), ...env },
      appOptions,
    );
    let closing: Promise<void> | undefined;
    const app: TestApp = { ...started, close: () => (closing ??= started.close()) };
    this.instances.push(app);
    this.closers.push(() => app.close());
    return app;
  }

  /** Replaces instance `index` by a new one (after closing it): a restart. */
  async restart(index: number, env: Record<string, string> = {}): Promise<TestApp> {
    await this.instance(index).close();
    const app = await this.startInstance(env);
    this.instances.splice(this.instances.indexOf(app), 1);
    this.instances[index] = app;
    return app;
  }

  instance(on: On): TestApp {
    if (typeof on !== 'number') return on;
    const app = this.instances[on];
    if (!app) throw new Error(`useTestApp: no instance ${on} (started: ${this.instances.length})`);
    return app;
  }

  async closeSockets(): Promise<void> {
    const open = [...this.sockets];
    this.sockets.clear();
    await Promise.all(open.map((socket) => socket.close()));
  }

  /** beforeAll: the first instance (it creates and migrates the database), then the rest. */
  async start(): Promise<void> {
    const count = this.options.instances ?? 1;
    if (count === 0) return;
    await this.startInstance();
    await Promise.all(Array.from({ length: count - 1 }, () => this.startInstance()));
  }

  /** afterAll: sockets, the SQL connection, every instance, then the isolation. */
  async stop(): Promise<void> {
    await this.closeSockets();
    await (await this.database?.catch(() => undefined))?.end();
    const results = await Promise.allSettled(this.closers.splice(0).map((close) => close()));
    await destroyIsolation(this.isolation);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  private track(socket: HeraldSocket): void {
    this.sockets.add(socket);
    void socket.closed.then(() => this.sockets.delete(socket));
  }
}

/** Registers the suite's app: started in beforeAll, everything closed in afterAll. */
export function useTestApp(options: UseTestAppOptions = {}): TestHerald {
  const herald = new TestHerald(options);
  const timeoutMs = options.hookTimeoutMs ?? HOOK_TIMEOUT_MS;
  beforeAll(() => herald.start(), timeoutMs);
  if (options.closeSocketsAfterEach) afterEach(() => herald.closeSockets());
  afterAll(() => herald.stop(), timeoutMs);
  return herald;
}

function suiteName(): string {
  const path = expect.getState().testPath;
  return path ? basename(path).replace(/\.e2e-spec\.ts$/, '') : 'suite';
}
