/**
 * Guards the queue dashboard (Bull Board is Express middleware, so the global JWT guard does not
 * see it): a token with the `admin` scope, else 401 (no or bad token) or 403 (no scope).
 *
 * The token comes from `Authorization: Bearer`, or, for a browser, from the `herald_admin`
 * cookie that `/admin/queues/login#token=<JWT>` sets (the fragment never reaches a server or a
 * log; the cookie is limited to the dashboard's path and SameSite=Strict against CSRF).
 */
import {
  ForbiddenException,
  Injectable,
  NestMiddleware,
  UnauthorizedException,
} from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { TokenVerifier } from '../auth/token-verifier';
import { ADMIN_COOKIE, ADMIN_LOGIN_PATH, adminLoginPage } from './admin-login.page';

const BEARER = /^Bearer\s+(\S+)$/i;

@Injectable()
export class AdminAuthMiddleware implements NestMiddleware {
  constructor(private readonly verifier: TokenVerifier) {}

  async use(request: Request, response: Response, next: NextFunction): Promise<void> {
    if (request.originalUrl.split('?')[0] === ADMIN_LOGIN_PATH) {
      response
        .type('html')
        .set('Cache-Control', 'no-store')
        .set('Content-Security-Policy', "default-src 'none'; script-src 'unsafe-inline'")
        .send(adminLoginPage());
      return;
    }
    const token = BEARER.exec(request.headers.authorization ?? '')?.[1] ?? cookieToken(request);
    response.set('WWW-Authenticate', 'Bearer');
    if (!token) {
      throw new UnauthorizedException(
        `the queue dashboard needs an admin token: Authorization: Bearer <JWT>, ` +
          `or open ${ADMIN_LOGIN_PATH}#token=<JWT> in a browser`,
      );
    }
    let scopes: ReadonlySet<string>;
    try {
      scopes = (await this.verifier.verify(token)).scopes;
    } catch {
      throw new UnauthorizedException('invalid or expired token');
    }
    if (!scopes.has('admin')) throw new ForbiddenException(`this endpoint needs the 'admin' scope`);
    response.removeHeader('WWW-Authenticate');
    next();
  }
}

function cookieToken(request: Request): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === ADMIN_COOKIE) {
      try {
        return decodeURIComponent(value.join('=')) || undefined;
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
