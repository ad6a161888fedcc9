/**
 * HTTP for the client, on Node's global `fetch`: JSON in and out, the bearer token, a timeout
 * per call, and every answer outside 2xx turned into a HeraldError.
 */
import { HeraldError } from './herald-error';

export type Query = Record<string, string | number | boolean | undefined | null>;

export interface RequestOptions {
  body?: unknown;
  query?: Query;
  headers?: Record<string, string>;
  /** Rejects with a HeraldError (status 0) when no answer arrived in time (default: the client's). */
  timeoutMs?: number;
}

/** An answer of any status, for callers that look at it themselves (`HeraldClient.request`). */
export interface HeraldResponse<T = unknown> {
  status: number;
  headers: Headers;
  /** The parsed JSON, the text when it is not JSON, undefined when empty. */
  body: T;
  text: string;
}

export interface TransportOptions {
  /** Herald's base URL, e.g. `http://127.0.0.1:3000` (a path prefix behind a proxy is kept). */
  baseUrl: string;
  /** A JWT sent as `Authorization: Bearer`; none for the public endpoints. */
  token?: string;
  /** Sent with every request (e.g. `X-Request-Id`, `Origin`). */
  headers?: Record<string, string>;
  /** Per request (default 10,000 ms): Herald answers within a second even when overloaded. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

export class HttpTransport {
  readonly baseUrl: string;

  constructor(readonly options: TransportOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  /** Any answer, whatever its status; rejects only when none arrived. */
  async request<T = unknown>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<HeraldResponse<T>> {
    const call = `${method} ${path}`;
    const headers: Record<string, string> = { ...this.options.headers, ...options.headers };
    if (this.options.token) headers['authorization'] ??= `Bearer ${this.options.token}`;
    if (options.body !== undefined) headers['content-type'] ??= 'application/json';
    let response: Response;
    let text: string;
    try {
      response = await fetch(this.url(path, options.query), {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(
          options.timeoutMs ?? this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        ),
      });
      text = await response.text();
    } catch (error) {
      throw HeraldError.fromFailure(call, error);
    }
    return { status: response.status, headers: response.headers, body: parse(text) as T, text };
  }

  /** The parsed body of a 2xx answer (undefined for 204); a HeraldError for anything else. */
  async call<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const response = await this.request<T>(method, path, options);
    if (response.status < 200 || response.status > 299) {
      throw HeraldError.fromResponse(
        `${method} ${path}`,
        response.status,
        response.headers,
        response.text,
      );
    }
    return response.body;
  }

  url(path: string, query: Query = {}): string {
    const url = new URL(this.baseUrl + path);
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined && value !== null) url.searchParams.set(name, String(value));
    }
    return url.toString();
  }
}

/** A path with every interpolated value percent-encoded: path`/v1/tasks/${id}`. */
export function path(strings: TemplateStringsArray, ...values: (string | number)[]): string {
  return strings.reduce((out, part, i) => out + encodeURIComponent(String(values[i - 1])) + part);
}

function parse(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
