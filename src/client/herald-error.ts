/**
 * The error every failed call of the client throws: an answer outside 2xx, parsed from
 * Herald's one error body (`{statusCode, error, message, requestId}` plus the extra fields a
 * domain exception carries, such as a task conflict's `currentVersion`), or no answer at all
 * (status 0: refused, reset, timed out).
 */
import { STATUS_CODES } from 'node:http';
import type { ErrorBody } from '../http/http-error.filter';

/** The fields of ErrorBody that every error body has; anything else is an extra. */
const BODY_FIELDS = new Set(['statusCode', 'error', 'message', 'requestId']);

export class HeraldError extends Error {
  override readonly name = 'HeraldError';

  constructor(
    /** The HTTP status; 0 when no answer arrived. */
    readonly status: number,
    /**
     * A stable name for the failure: the status's reason in snake case (`bad_request`,
     * `conflict`, `too_many_requests`, `service_unavailable`…), `network` without an answer.
     */
    readonly code: string,
    /** The body's `message`: validation failures name every offending field, one each. */
    readonly messages: string[],
    /** The `X-Request-Id` of the call ('' when Herald did not answer): quote it in reports. */
    readonly requestId: string,
    /** Fields the body adds to the usual four, e.g. `{ currentVersion: 3 }` on a task 409. */
    readonly extra: Readonly<Record<string, unknown>>,
    readonly headers: Headers,
    /** What the request was, for the message: `POST /v1/notifications`. */
    readonly call: string,
    options?: ErrorOptions,
  ) {
    super(`${call}: ${status || code} ${messages.join('; ')}`.trimEnd(), options);
  }

  /** `Retry-After` (429, 503) in milliseconds; undefined when the answer has none. */
  get retryAfterMs(): number | undefined {
    const value = this.headers.get('retry-after');
    if (value === null) return undefined;
    const seconds = Number(value);
    if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
    const at = Date.parse(value);
    return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
  }

  /** A task conflict's (409) current version, to reload and retry without parsing the message. */
  get currentVersion(): number | undefined {
    const value = this.extra['currentVersion'];
    return typeof value === 'number' ? value : undefined;
  }

  /** Builds the error from an answer: Herald's error body, or any other text a proxy sent. */
  static fromResponse(call: string, status: number, headers: Headers, text: string): HeraldError {
    const body = parseErrorBody(text);
    const reason = body?.error ?? STATUS_CODES[status] ?? 'error';
    const message = body?.message ?? text.slice(0, 200);
    const extra = Object.fromEntries(
      Object.entries(body ?? {}).filter(([name]) => !BODY_FIELDS.has(name)),
    );
    return new HeraldError(
      status,
      snakeCase(reason),
      [message].flat().map(String),
      body?.requestId ?? headers.get('x-request-id') ?? '',
      extra,
      headers,
      call,
    );
  }

  /** The error of a call that got no answer (connection refused, reset, aborted by timeout). */
  static fromFailure(call: string, cause: unknown): HeraldError {
    const reason =
      (cause as { cause?: { code?: string } }).cause?.code ?? (cause as Error).name ?? 'failed';
    return new HeraldError(0, 'network', [reason], '', {}, new Headers(), call, { cause });
  }
}

function parseErrorBody(text: string): ErrorBody | undefined {
  try {
    const body = JSON.parse(text) as unknown;
    const candidate = body as Partial<ErrorBody> | null;
    if (typeof candidate?.statusCode === 'number' && 'message' in candidate) {
      return candidate as ErrorBody;
    }
  } catch {
    // not JSON: a proxy's page, an empty answer
  }
  return undefined;
}

const snakeCase = (reason: string) =>
  reason
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
