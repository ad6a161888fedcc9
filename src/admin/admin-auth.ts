/**
 * Guards the queue dashboard. Bull Board is a Fastify plugin, not a Nest controller, so the
 * global JWT guard does not see it: this `onRequest` hook of the dashboard's plugin does. A
 * bearer token with the `admin` scope or a live session cookie (admin-login.controller.ts),
 * else 401 (none, bad or lapsed) or 403 (no scope; a write from another origin). The refusals
 * are answered by the app's one exception filter.
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
import { bearerToken } from '../auth/bearer-token';
import { TokenVerifier } from '../auth/token-verifier';
import { HttpErrorFilter } from '../http/http-error.filter';
import { mayChangeState, sessionIdOf } from './admin-cookie';
import { ADMIN_LOGIN_PATH } from './admin-login.page';
import { AdminSessions } from './admin-sessions';

@Injectable()
export class AdminAuth {
  private readonly errors: HttpErrorFilter;

  constructor(
    private readonly verifier: TokenVerifier,
    private readonly sessions: AdminSessions,
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
      if (error instanceof HttpException && error.getStatus() === 401) {
        reply.header('WWW-Authenticate', 'Bearer');
      }
      this.errors.catch(error, new ExecutionContextHost([request, reply]));
      return reply; // answered: Fastify stops here
    }
  };

  private async check(request: FastifyRequest): Promise<void> {
    const token = bearerToken(request.headers.authorization);
    const sessionId = token ? undefined : sessionIdOf(request.headers.cookie);
    if (!mayChangeState(request.method, request.headers, sessionId !== undefined)) {
      throw new ForbiddenException('the dashboard accepts changes from its own origin only');
    }
    if (sessionId !== undefined) {
      if (await this.sessions.subjectOf(sessionId)) return;
      throw new UnauthorizedException(
        `the dashboard session has lapsed: sign in again at ${ADMIN_LOGIN_PATH}`,
      );
    }
    if (!token) {
      throw new UnauthorizedException(
        `the queue dashboard needs an admin token: Authorization: Bearer <JWT>, ` +
          `or sign in at ${ADMIN_LOGIN_PATH} in a browser`,
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
