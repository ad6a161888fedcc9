/**
 * The REST rate limit: one budget per caller across all routes. A caller is the verified token's
 * `sub` (so a service behind a shared egress IP has its own budget, and a user keeps theirs
 * across networks), or the client IP when there is no valid token. It runs before the JWT guard,
 * so floods of bad tokens are limited too. Sockets are not counted here (they have frame limits).
 *
 * Services (a token with one of Herald's scopes) get RATE_LIMIT_SERVICE_REQUESTS, users (no
 * Herald scope) and IPs RATE_LIMIT_REQUESTS: a service publishes for many users, so a user's
 * budget would throttle it at a few requests a second. Only Herald's own scopes count, so an
 * identity provider's user tokens with `openid profile` stay users. The two budgets are kept
 * apart (`svc:` / `sub:`), so a user token and a service token of one `sub` never share one.
 */
import { ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  normalizeIp,
  ThrottlerGuard,
  type ThrottlerModuleOptions,
  type ThrottlerRequest,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import { createHash } from 'node:crypto';
import { bearerToken } from '../auth/bearer-token';
import { SCOPES } from '../auth/principal';
import { TokenVerifier } from '../auth/token-verifier';
import { rememberPrincipal } from '../auth/verified-principal';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';

@Injectable()
export class HeraldThrottlerGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly verifier: TokenVerifier,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super(options, storage, reflector);
  }

  protected override shouldSkip(context: ExecutionContext): Promise<boolean> {
    return Promise.resolve(!this.config.rateLimit.enabled || context.getType() !== 'http');
  }

  protected override async handleRequest(props: ThrottlerRequest): Promise<boolean> {
    const caller = await this.callerOf(props.context.switchToHttp().getRequest());
    return super.handleRequest({
      ...props,
      limit: caller.service ? this.config.rateLimit.serviceRequests : props.limit,
      getTracker: () => caller.tracker,
    });
  }

  private async callerOf(
    request: Record<string, unknown>,
  ): Promise<{ tracker: string; service: boolean }> {
    const headers = request['headers'] as Record<string, string | undefined>;
    const token = bearerToken(headers['authorization']);
    if (token) {
      try {
        const principal = await this.verifier.verify(token);
        rememberPrincipal(request, principal); // the JWT guard needs not verify it again
        const service = SCOPES.some((scope) => principal.scopes.has(scope));
        return { tracker: `${service ? 'svc' : 'sub'}:${principal.userId}`, service };
      } catch {
        // an invalid token is limited by IP; the JWT guard answers it with 401
      }
    }
    const ip = request['ip'];
    return { tracker: `ip:${normalizeIp(typeof ip === 'string' ? ip : '')}`, service: false };
  }

  protected override generateKey(
    _context: ExecutionContext,
    tracker: string,
    throttlerName: string,
  ): string {
    // Hashed: neither user ids nor IPs appear in Redis keys.
    return createHash('sha256').update(`${throttlerName}\0${tracker}`).digest('base64url');
  }
}
