/**
 * Authentication and origin check during the HTTP upgrade (the AuthMiddlewareStack of
 * Channels): a bad token is answered with HTTP 401 and a foreign origin with 403, before any
 * WebSocket frame exists. The verified principal rides on the upgrade request to the gateway.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { Principal } from '../auth/principal';
import { TokenVerifier } from '../auth/token-verifier';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { MetricsService } from '../metrics/metrics.service';
import { WS_BEARER_PREFIX, WS_SUBPROTOCOL } from './protocol';

export interface AuthenticatedUpgrade extends IncomingMessage {
  principal?: Principal;
}

type VerifyDone = (ok: boolean, code?: number, message?: string) => void;

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
      done(false, 403, 'Forbidden');
      return;
    }
    const token = WsHandshake.tokenOf(info.req);
    if (!token) {
      done(false, 401, 'Unauthorized');
      return;
    }
    this.verifier.verify(token).then(
      (principal) => {
        info.req.principal = principal;
        done(true);
      },
      () => done(false, 401, 'Unauthorized'),
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
