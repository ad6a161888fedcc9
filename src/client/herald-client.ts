/**
 * The typed client for one caller of Herald (a service or a user token): REST calls that
 * answer typed results and throw a HeraldError, and `connect()` for the WebSocket.
 *
 *   const service = new HeraldClient({ baseUrl, token: serviceJwt });
 *   await service.publish({ userIds: ['alice'], type: 'invoice.paid', title: 'Paid' });
 *   const alice = service.withToken(aliceJwt);
 *   const socket = await alice.connect();
 *   const { items } = await alice.inbox.list({ view: 'all' });
 */
import { randomUUID } from 'node:crypto';
import { HeraldError } from './herald-error';
import { HeraldSocket, type SocketOptions } from './herald-socket';
import {
  HttpTransport,
  type HeraldResponse,
  type RequestOptions,
  type TransportOptions,
} from './http-transport';
import { InboxApi } from './inbox.api';
import { PreferencesApi } from './preferences.api';
import { TasksApi } from './tasks.api';
import { TopicsApi } from './topics.api';
import type { PublishAccepted, PublishRequest } from './types';

export interface HeraldClientOptions extends TransportOptions {
  /** Called with every socket `connect` opens (e.g. to close them all after a test). */
  onSocket?: (socket: HeraldSocket) => void;
  /**
   * How often `publish` and `publishBatch` try again after a 503 or 429 (default 0: never),
   * each time after the answer's `Retry-After` (1 s without one, at most 10 s). A publish
   * without an `idempotencyKey` is given one (a random UUID) before its first attempt, so a
   * retry never stores it twice, even when a 503 came after Redis took it late.
   */
  publishRetries?: number;
}

/** The answers that mean "not now, later": Herald sheds load with 503, rate limits with 429. */
const RETRY_LATER = new Set([429, 503]);
const DEFAULT_RETRY_WAIT_MS = 1000;
const MAX_RETRY_WAIT_MS = 10_000;

export class HeraldClient {
  readonly inbox: InboxApi;
  readonly tasks: TasksApi;
  readonly topics: TopicsApi;
  /** The caller's own preferences (`/v1/me/preferences`); a service uses `preferencesOf`. */
  readonly preferences: PreferencesApi;
  private readonly http: HttpTransport;

  constructor(readonly options: HeraldClientOptions) {
    this.http = new HttpTransport(options);
    this.inbox = new InboxApi(this.http);
    this.tasks = new TasksApi(this.http);
    this.topics = new TopicsApi(this.http);
    this.preferences = PreferencesApi.mine(this.http);
  }

  get baseUrl(): string {
    return this.http.baseUrl;
  }

  /** `ws://…/ws` (or `wss:`) of the same Herald. */
  get wsUrl(): string {
    return `${this.baseUrl.replace(/^http/, 'ws')}/ws`;
  }

  /** The same Herald as another caller (e.g. a user after a service set things up). */
  withToken(token: string): HeraldClient {
    return new HeraldClient({ ...this.options, token });
  }

  /**
   * Queued (202): it is stored and pushed shortly; the same idempotencyKey gives the same jobId.
   * Retried after 503/429 as `publishRetries` says.
   */
  publish(notification: PublishRequest): Promise<PublishAccepted> {
    const body = this.keyed(notification);
    return this.retrying(() => this.http.call('POST', '/v1/notifications', { body }));
  }

  /**
   * 1–100 publishes, all checked before any is queued; one answer each, in order. Retried after
   * 503/429 as `publishRetries` says (the batch is queued whole or not at all).
   */
  async publishBatch(notifications: PublishRequest[]): Promise<PublishAccepted[]> {
    const body = { notifications: notifications.map((n) => this.keyed(n)) };
    const answer = await this.retrying(() =>
      this.http.call<{ items: PublishAccepted[] }>('POST', '/v1/notifications/batch', { body }),
    );
    return answer.items;
  }

  /** A user's preferences, for a service's settings page (scope `notifications:write`). */
  preferencesOf(userId: string): PreferencesApi {
    return PreferencesApi.ofUser(this.http, userId);
  }

  /** Opens `/ws` as this client's user (the token in the subprotocol by default). */
  async connect(options: SocketOptions = {}): Promise<HeraldSocket> {
    if (!this.options.token) throw new Error('connect needs a token');
    const socket = await HeraldSocket.connect(this.wsUrl, this.options.token, options);
    this.options.onSocket?.(socket);
    return socket;
  }

  /** Any call, answered whatever its status (never throws a HeraldError for a status). */
  request<T = unknown>(
    method: string,
    path: string,
    options?: RequestOptions,
  ): Promise<HeraldResponse<T>> {
    return this.http.request<T>(method, path, options);
  }

  /** Any call whose 2xx body is `T`; a HeraldError otherwise. */
  call<T = unknown>(method: string, path: string, options?: RequestOptions): Promise<T> {
    return this.http.call<T>(method, path, options);
  }

  /** With retries on, every publish carries a key: only then is trying again harmless. */
  private keyed(notification: PublishRequest): PublishRequest {
    if (!this.options.publishRetries || notification.idempotencyKey !== undefined) {
      return notification;
    }
    return { ...notification, idempotencyKey: randomUUID() };
  }

  private async retrying<T>(attempt: () => Promise<T>): Promise<T> {
    const retries = this.options.publishRetries ?? 0;
    for (let done = 0; ; done++) {
      try {
        return await attempt();
      } catch (error) {
        if (done >= retries || !(error instanceof HeraldError) || !RETRY_LATER.has(error.status)) {
          throw error;
        }
        const waitMs = Math.min(error.retryAfterMs ?? DEFAULT_RETRY_WAIT_MS, MAX_RETRY_WAIT_MS);
        await new Promise((resolve) => setTimeout(resolve, waitMs));
      }
    }
  }
}
