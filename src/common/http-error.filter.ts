/**
 * The one exception filter: every HTTP error answers
 * `{ statusCode, error, message, requestId }`. HttpExceptions pass through; dependency outages
 * become 503; anything else is logged with its stack and answered as a bare 500.
 */
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { STATUS_CODES } from 'node:http';
import { requestIdOf } from './logging';
import { isUnavailableError } from './unavailable';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string | string[];
  requestId: string;
}

@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') return; // sockets answer with `error` events instead
    const http = host.switchToHttp();
    const request = http.getRequest<Request & { id?: unknown }>();
    const response = http.getResponse<Response>();
    // Errors raised before the logger's middleware (body parsing, path decoding) have no id yet.
    const requestId = typeof request.id === 'string' ? request.id : requestIdOf(request);
    const { status, message } = this.describe(exception, requestId);
    const body: ErrorBody = {
      statusCode: status,
      error: STATUS_CODES[status] ?? 'Error',
      message,
      requestId,
    };
    if (response.headersSent) return;
    if (!response.getHeader('X-Request-Id')) response.setHeader('X-Request-Id', requestId);
    // Domain exceptions may carry response headers (e.g. TooManyAssignments' Retry-After).
    const headers = (exception as { headers?: unknown } | null)?.headers;
    if (exception instanceof HttpException && headers && typeof headers === 'object') {
      for (const [name, value] of Object.entries(headers)) response.setHeader(name, String(value));
    }
    response.status(status).json(body);
  }

  private describe(
    exception: unknown,
    requestId: string,
  ): { status: number; message: string | string[] } {
    if (exception instanceof HttpException) {
      const answer = exception.getResponse();
      const message =
        typeof answer === 'string'
          ? answer
          : ((answer as { message?: string | string[] }).message ?? exception.message);
      return { status: exception.getStatus(), message };
    }
    // body-parser errors (malformed JSON, body too large) carry their own status
    const parserError = exception as { type?: unknown; status?: unknown; expose?: unknown };
    if (
      typeof parserError.type === 'string' &&
      typeof parserError.status === 'number' &&
      parserError.expose
    ) {
      const status = parserError.status;
      if (status === 413) return { status, message: 'request body exceeds 1 MiB' };
      return {
        status,
        message:
          parserError.type === 'entity.parse.failed'
            ? 'body is not valid JSON'
            : (STATUS_CODES[status] ?? 'bad request'),
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
