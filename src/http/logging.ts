/**
 * Structured JSON logs (pino) with a request id; tokens never reach a log line. One line per
 * request, written by an `onResponse` hook of the HTTP server, and only when its level is on:
 * a request that is not logged costs one level check (no child logger, no serialized headers;
 * Fastify's own request logging is off, see app.factory.ts).
 */
import type { LoggerService } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import { pino, type DestinationStream, type Level, type Logger } from 'pino';
import type { AppConfig } from '../config/app-config';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A caller's X-Request-Id when it is sane, otherwise a new one. */
export function requestIdOf(request: {
  headers: Record<string, string | string[] | undefined>;
}): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

const SECRET_PARAMS = new Set(['token', 'access_token']);

/**
 * The URL with secrets (`?token=`) masked. A parameter's name is decoded as URLSearchParams
 * decodes it (the WebSocket handshake reads `?token=` that way), so `?%74oken=` and
 * `?TOKEN=` are masked too: what the server would accept as a token is never logged.
 */
export function redactUrl(url: string | undefined): string {
  if (!url) return '';
  const start = url.indexOf('?');
  if (start < 0) return url;
  const hash = url.indexOf('#', start);
  const end = hash < 0 ? url.length : hash;
  const query = url
    .slice(start + 1, end)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      const decoded = [...new URLSearchParams(`${name}=`).keys()][0] ?? '';
      return SECRET_PARAMS.has(decoded.toLowerCase()) ? `${name}=[REDACTED]` : pair;
    })
    .join('&');
  return `${url.slice(0, start + 1)}${query}${url.slice(end)}`;
}

/** The app's one pino logger; `destination`: where the lines go (default stdout). */
export function createLogger(config: AppConfig, destination?: DestinationStream): Logger {
  return pino(
    {
      level: config.logLevel,
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'req.headers["sec-websocket-protocol"]',
        ],
        censor: '[REDACTED]',
      },
    },
    destination,
  );
}

/**
 * One line per answered request: info for 1xx–3xx, warn for 4xx, error for 5xx; not /health.
 * A 503 with Retry-After is load being shed, an answer the service chose: debug, or an
 * overload would write an error line for every request it turns away (the shedding is
 * counted in metrics and summarized in the log by whoever sheds).
 */
export function installRequestLogging(fastify: FastifyInstance, logger: Logger): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const status = reply.statusCode;
    const shed = status === 503 && reply.hasHeader('retry-after');
    const level: Level = shed ? 'debug' : status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
    if (logger.isLevelEnabled(level) && !request.url.startsWith('/health')) {
      logger[level](
        {
          req: {
            id: request.id,
            method: request.method,
            url: redactUrl(request.url),
            headers: request.headers,
          },
          res: { statusCode: status },
          responseTime: Math.round(reply.elapsedTime),
        },
        'request completed',
      );
    }
    done();
  });
}

const NEST_LEVELS = {
  log: 'info',
  error: 'error',
  warn: 'warn',
  debug: 'debug',
  verbose: 'trace',
  fatal: 'fatal',
} as const satisfies Record<string, Level>;

/**
 * Nest's logger interface over pino: `Logger.log(message, context)` becomes
 * `{"level":30,"context":"…","msg":"…"}`, an error's stack goes into `stack`.
 */
export class PinoLoggerService implements LoggerService {
  constructor(readonly pino: Logger) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('log', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('verbose', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  private write(method: keyof typeof NEST_LEVELS, message: unknown, rest: unknown[]): void {
    const level = NEST_LEVELS[method];
    if (!this.pino.isLevelEnabled(level)) return;
    // Nest passes the context last: (message, context) or, for errors, (message, stack, context)
    const params = [...rest];
    const context = params.length && typeof params.at(-1) === 'string' ? params.pop() : undefined;
    const fields: Record<string, unknown> = context === undefined ? {} : { context };
    if (method === 'error' && typeof params[0] === 'string') fields['stack'] = params[0];
    if (message instanceof Error) {
      this.pino[level]({ ...fields, err: message }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.pino[level]({ ...fields, ...message });
    } else {
      this.pino[level](fields, String(message));
    }
  }
}
