/** The REST calls of the widget (API.md "Notifications"), with the user's bearer token. */
import type { Notification } from './types';
import type { TokenSource } from './token-source';

const PAGE_SIZE = 20;

export interface InboxPage {
  items: Notification[];
  nextBefore: number | null;
}

export class HttpError extends Error {
  /** 0 when the server could not be reached at all. */
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export class RestClient {
  constructor(
    private readonly server: string,
    private readonly tokens: TokenSource,
  ) {}

  page(before?: number, view: 'inbox' | 'archived' = 'inbox'): Promise<InboxPage> {
    const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (before !== undefined) query.set('before', String(before));
    if (view !== 'inbox') query.set('view', view);
    return this.request<InboxPage>('GET', `/v1/notifications?${query.toString()}`);
  }

  unreadCount(): Promise<{ count: number }> {
    return this.request('GET', '/v1/notifications/unread-count');
  }

  markRead(id: string): Promise<Notification> {
    return this.request('POST', `/v1/notifications/${encodeURIComponent(id)}/read`);
  }

  markAllRead(): Promise<{ updated: number }> {
    return this.request('POST', '/v1/notifications/read-all');
  }

  /** Inbox lifecycle and preferences (API.md); `body` is sent as JSON. */
  call<T>(method: string, path: string, body?: unknown): Promise<T> {
    return this.request<T>(method, path, false, body);
  }

  /**
   * The HTTP status for the current token, without renewing it: tells a refused WebSocket
   * upgrade (401, invisible to browser code) apart from an unreachable server (0).
   */
  async probe(): Promise<number> {
    try {
      const token = await this.tokens.current();
      return (await this.fetch('GET', '/v1/notifications/unread-count', token)).status;
    } catch {
      return 0;
    }
  }

  private async request<T>(
    method: string,
    path: string,
    renewed = false,
    body?: unknown,
  ): Promise<T> {
    const response = await this.fetch(method, path, await this.tokens.current(), body);
    if (response.status === 401 && !renewed && this.tokens.canRefresh) {
      await this.tokens.refresh();
      return this.request<T>(method, path, true, body);
    }
    if (!response.ok) throw new HttpError(response.status, await messageOf(response));
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }

  private async fetch(
    method: string,
    path: string,
    token: string,
    body?: unknown,
  ): Promise<Response> {
    const headers: Record<string, string> = {
      Authorization: `Bearer ${token}`,
      Accept: 'application/json',
    };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    try {
      return await fetch(this.server + path, {
        method,
        headers,
        cache: 'no-store',
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch {
      throw new HttpError(0, 'the notification server cannot be reached');
    }
  }
}

async function messageOf(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { message?: unknown };
    const message = Array.isArray(body.message) ? body.message.join(', ') : body.message;
    if (typeof message === 'string' && message) return message;
  } catch {
    // not JSON: fall through to the status line
  }
  return `HTTP ${response.status}`;
}
