/**
 * Authentication and origin check during the HTTP upgrade (the AuthMiddlewareStack of
 * Channels): a bad token is answered with HTTP 401 and a foreign origin with 403, before any
 * WebSocket frame exists, with the JSON error body and request id of any REST error. The
 * verified principal rides on the upgrade request to the gateway.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { Principal } from '../auth/principal';
import { InvalidTokenError, TokenVerifier } from '../auth/token-verifier';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { errorBody } from '../http/http-error.filter';
import { redactUrl, requestIdOf } from '../http/logging';
import { MetricsService, type VerifyDone } from '../metrics/metrics.service';
import { WS_BEARER_PREFIX, WS_SUBPROTOCOL } from './protocol';

export interface AuthenticatedUpgrade extends IncomingMessage {
  principal?: Principal;
}

@Injectable()
export class WsHandshake {
  constructor(
    private readonly verifier: TokenVerifier,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  /** `ws` server option `verifyClient` (async form). */
  readonly verifyClient = (
    info: { origin: string; req: AuthenticatedUpgrade },
    done: VerifyDone,
  ): void => {
    done = this.metrics.trackHandshake(done);
    const allowed = this.config.allowedOrigins;
    if (allowed && info.origin && !allowed.includes(info.origin)) {
      return refuse(done, info.req, 403, 'origin not allowed');
    }
    const token = WsHandshake.tokenOf(info.req);
    if (!token) return refuse(done, info.req, 401, 'missing token');
    this.verifier.verify(token).then(
      (principal) => {
        info.req.principal = principal;
        done(true);
      },
      (error: unknown) => {
        const reason = error instanceof InvalidTokenError ? `: ${error.message}` : '';
        refuse(done, info.req, 401, `invalid token${reason}`);
      },
    );
  };

  /** `ws` server option `handleProtocols`: answer `herald.v1`, never echo the bearer entry. */
  readonly handleProtocols = (protocols: Set<string>): string | false =>
    protocols.has(WS_SUBPROTOCOL) ? WS_SUBPROTOCOL : false;

  /** The token from `?token=` or from a `bearer.<jwt>` subprotocol entry. */
  static tokenOf(request: IncomingMessage): string | undefined {
    const header = request.headers['sec-websocket-protocol'];
    if (header) {
      for (const entry of header.split(',')) {
        const value = entry.trim();
        if (value.startsWith(WS_BEARER_PREFIX)) return value.slice(WS_BEARER_PREFIX.length);
      }
    }
    const query = new URL(request.url ?? '/', 'http://localhost').searchParams.get('token');
    return query ?? undefined;
  }
}

const logger = new Logger(WsHandshake.name);

/**
 * Refuses the upgrade as REST answers an error: API.md's JSON body, `X-Request-Id` with it,
 * and a warn line shaped like REST's request line (the URL with any token masked).
 */
function refuse(
  done: VerifyDone,
  request: IncomingMessage,
  status: 401 | 403,
  message: string,
): void {
  const requestId = requestIdOf(request);
  logger.warn({
    req: { id: requestId, method: request.method, url: redactUrl(request.url) },
    res: { statusCode: status },
    msg: `upgrade refused: ${message}`,
  });
  done(false, status, JSON.stringify(errorBody(status, message, requestId)), {
    'Content-Type': 'application/json; charset=utf-8',
    'X-Request-Id': requestId,
  });
}
