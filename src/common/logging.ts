/** Structured JSON logs (pino) with a request id; tokens never reach a log line. */
import type { IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Params } from 'nestjs-pino';
import {
  pino,
  type Bindings,
  type ChildLoggerOptions,
  type DestinationStream,
  type Logger,
} from 'pino';
import type { AppConfig } from '../config/app-config';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A caller's X-Request-Id when it is sane, otherwise a new one. */
export function requestIdOf(request: IncomingMessage): string {
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

/** `destination`: where the lines go (default stdout), e.g. a stream a test reads. */
export function loggerParams(config: AppConfig, destination?: DestinationStream): Params {
  return {
    pinoHttp: {
      // pino-http makes its logger as a child of this one, with the options below.
      logger: deferChildren(pino({ level: config.logLevel }, destination)),
      genReqId: (request, response) => {
        const id = requestIdOf(request);
        response.setHeader('X-Request-Id', id);
        return id;
      },
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'req.headers["sec-websocket-protocol"]',
        ],
        censor: '[REDACTED]',
      },
      serializers: {
        req: (req: {
          id: unknown;
          method: string;
          url: string;
          headers: Record<string, unknown>;
        }) => ({
          id: req.id,
          method: req.method,
          url: redactUrl(req.url),
          headers: req.headers,
        }),
      },
      customLogLevel: (_request, response, error) =>
        error || response.statusCode >= 500
          ? 'error'
          : response.statusCode >= 400
            ? 'warn'
            : 'info',
      autoLogging: { ignore: (request) => (request.url ?? '').startsWith('/health') },
    },
  };
}

const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);
const noop = () => undefined;

/**
 * pino-http makes, for every request, a child logger with the request bound to it, and pino
 * serializes (and redacts) a child's bindings as it is made: headers and all, even when no
 * line of that request is ever written (a 202 at LOG_LEVEL=warn): a few per cent of the
 * server's CPU under publish load, plus the garbage (bench/RESULTS.md). Here a child is made
 * only when something is logged through it at an enabled level, or anything else is asked of
 * it; the lines are the same. (pino-http has no option for this, hence this wrapper.)
 */
export function deferChildren(logger: Logger): Logger {
  return new Proxy(logger, {
    get(target, property) {
      if (property === 'child') {
        return (bindings: Bindings, options?: ChildLoggerOptions) =>
          deferredChild(target, bindings, options);
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function'
        ? (value as (...a: unknown[]) => unknown).bind(target)
        : value;
    },
  });
}

function deferredChild(parent: Logger, bindings: Bindings, options?: ChildLoggerOptions): Logger {
  let real: Logger | undefined;
  const materialize = () => (real ??= deferChildren(parent.child(bindings, options)));
  return new Proxy(parent, {
    get(_target, property) {
      // A child logs at its parent's level unless given its own (then it is simply made).
      if (
        !real &&
        options?.level === undefined &&
        typeof property === 'string' &&
        LEVELS.has(property) &&
        !parent.isLevelEnabled(property)
      ) {
        return noop;
      }
      const child = materialize();
      return Reflect.get(child, property, child) as unknown;
    },
    set(_target, property, value) {
      return Reflect.set(materialize(), property, value);
    },
  });
}
