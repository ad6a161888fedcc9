/**
 * The one exception filter, and with `errorBody` the only maker of error bodies: every HTTP
 * error answers `{ statusCode, error, message, requestId }` (API.md) plus the `extra` fields and
 * `headers` the exception carries (ProblemException); a refused WebSocket upgrade, which never
 * reaches a filter, answers the same `errorBody` (ws-handshake.ts). It answers through the HTTP
 * adapter, so it does not depend on the platform. HttpExceptions pass through; errors of the
 * HTTP layer itself (body too large, malformed JSON, unsupported media type: Fastify's, reaching
 * here through Nest's error handler) keep their 4xx; dependency outages become 503; anything
 * else is logged with its stack and answered as a bare 500.
 */
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { STATUS_CODES } from 'node:http';
import { requestIdOf } from './logging';
import type { ErrorExtras } from './problem.exception';
import { isUnavailableError } from './unavailable';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string | string[];
  requestId: string;
  [extra: string]: unknown;
}

interface Described {
  status: number;
  message: string | string[];
  extras?: ErrorExtras;
}

/**
 * The error body of API.md for `status`. `extra` comes first: it can add fields, never replace
 * the four every error body has.
 */
export function errorBody(
  status: number,
  message: string | string[],
  requestId: string,
  extra?: Readonly<Record<string, unknown>>,
): ErrorBody {
  return {
    ...extra,
    statusCode: status,
    error: STATUS_CODES[status] ?? 'Error',
    message,
    requestId,
  };
}

/** What the filter needs of a request: Fastify's (id from genReqId) or a bare IncomingMessage. */
interface RequestLike {
  id?: unknown;
  headers: Record<string, string | string[] | undefined>;
}

@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') return; // sockets answer with `error` events instead
    const http = host.switchToHttp();
    const request = http.getRequest<RequestLike>();
    const response: unknown = http.getResponse();
    const adapter = this.adapterHost.httpAdapter;
    const requestId = typeof request.id === 'string' ? request.id : requestIdOf(request);
    const { status, message, extras } = this.describe(exception, requestId);
    if (adapter.isHeadersSent(response)) return;
    const body = errorBody(status, message, requestId, extras?.extra);
    for (const [name, value] of Object.entries(extras?.headers ?? {})) {
      adapter.setHeader(response, name, value);
    }
    adapter.setHeader(response, 'X-Request-Id', requestId);
    adapter.reply(response, body, status);
  }

  private describe(exception: unknown, requestId: string): Described {
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const layer = layerMessage(status, exception.cause);
      if (layer) return { status, message: layer };
      const answer = exception.getResponse();
      const message =
        typeof answer === 'string'
          ? answer
          : ((answer as { message?: string | string[] }).message ?? exception.message);
      const { extra, headers } = exception as HttpException & ErrorExtras;
      return { status, message, extras: { extra, headers } };
    }
    // An HTTP-layer error Nest did not map (e.g. a JSON SyntaxError with statusCode 400)
    const status = (exception as { statusCode?: unknown }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return {
        status,
        message: layerMessage(status, exception) ?? STATUS_CODES[status] ?? 'bad request',
      };
    }
    if (isUnavailableError(exception)) {
      this.logger.warn(
        `dependency unavailable (request ${requestId}): ${(exception as Error).message}`,
      );
      return { status: 503, message: 'a dependency is unavailable, retry later' };
    }
    this.logger.error(`unhandled error (request ${requestId})`, (exception as Error)?.stack);
    return { status: 500, message: 'internal server error' };
  }
}

/** API.md's wording for errors of the body parser, whatever the platform's own message. */
function layerMessage(status: number, cause: unknown): string | undefined {
  if (status === 413 && cause) return 'request body exceeds 1 MiB';
  if (cause instanceof SyntaxError) return 'body is not valid JSON';
  const code = (cause as { code?: unknown } | undefined)?.code;
  if (code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return 'body is empty but Content-Type is JSON';
  if (code === 'FST_ERR_CTP_INVALID_JSON_BODY') return 'body is not valid JSON';
  return undefined;
}
