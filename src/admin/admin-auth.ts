/**
 * Guards the queue dashboard. Bull Board is a Fastify plugin, not a Nest controller, so the
 * global JWT guard does not see it: this `onRequest` hook of the dashboard's plugin does. A
 * token with the `admin` scope, else 401 (no or bad token) or 403 (no scope); the refusals are
 * answered by the app's one exception filter.
 */
import {
  ForbiddenException,
  HttpException,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { TokenVerifier } from '../auth/token-verifier';
import { HttpErrorFilter } from '../common/http-error.filter';
import { ADMIN_COOKIE, ADMIN_LOGIN_PATH } from './admin-login.page';

const BEARER = /^Bearer\s+(\S+)$/i;

@Injectable()
export class AdminAuth {
  private readonly errors: HttpErrorFilter;

  constructor(
    private readonly verifier: TokenVerifier,
    adapterHost: HttpAdapterHost,
  ) {
    this.errors = new HttpErrorFilter(adapterHost);
  }

  /** The hook: resolves to nothing when the request may go on, to the reply once answered. */
  readonly onRequest = async (
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<FastifyReply | undefined> => {
    try {
      await this.check(request);
      return undefined;
    } catch (error) {
      if (!(error instanceof HttpException)) throw error;
      if (error.getStatus() === 401) reply.header('WWW-Authenticate', 'Bearer');
      this.errors.catch(error, new ExecutionContextHost([request, reply]));
      return reply; // answered: Fastify stops here
    }
  };

  private async check(request: FastifyRequest): Promise<void> {
    const token = BEARER.exec(request.headers.authorization ?? '')?.[1] ?? cookieToken(request);
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
  }
}

function cookieToken(request: FastifyRequest): string | undefined {
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
