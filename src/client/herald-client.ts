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
}

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

  /** Queued (202): it is stored and pushed shortly; the same idempotencyKey gives the same jobId. */
  publish(notification: PublishRequest): Promise<PublishAccepted> {
    return this.http.call('POST', '/v1/notifications', { body: notification });
  }

  /** 1–100 publishes, all checked before any is queued; one answer each, in order. */
  async publishBatch(notifications: PublishRequest[]): Promise<PublishAccepted[]> {
    const answer = await this.http.call<{ items: PublishAccepted[] }>(
      'POST',
      '/v1/notifications/batch',
      { body: { notifications } },
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
}
