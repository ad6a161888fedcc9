/**
 * Dashboard sign-in: `GET /admin/queues/login` is the page, `POST /admin/queues/login` trades
 * an admin JWT for a short session cookie (admin-cookie.ts says which and why), and
 * `POST /admin/queues/logout` ends it. Both POSTs refuse another origin (login CSRF).
 */
import {
  Body,
  Controller,
  ForbiddenException,
  Get,
  Header,
  Headers,
  HttpCode,
  Post,
  UnauthorizedException,
} from '@nestjs/common';
import {
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import { Public } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { TokenVerifier } from '../auth/token-verifier';
import { clearedSessionCookie, isSameOrigin, sessionCookie, sessionIdOf } from './admin-cookie';
import { ADMIN_LOGIN_CSP, adminLoginPage } from './admin-login.page';
import { AdminLoginDto } from './admin-login.dto';
import { AdminSessions, SESSION_SECONDS } from './admin-sessions';

const SET_COOKIE_DOC = {
  'Set-Cookie': {
    description: `\`__Host-herald_admin\`: HttpOnly, Secure, SameSite=Strict, at most ${SESSION_SECONDS} s`,
    schema: { type: 'string' },
  },
};

@ApiTags('operations')
@Public()
@Controller('admin/queues')
export class AdminLoginController {
  private readonly page = adminLoginPage();

  constructor(
    private readonly verifier: TokenVerifier,
    private readonly sessions: AdminSessions,
  ) {}

  @Get('login')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  @Header('Content-Security-Policy', ADMIN_LOGIN_CSP)
  @ApiOperation({ summary: 'Browser sign-in page of the queue dashboard' })
  @ApiProduces('text/html')
  @ApiOkResponse({ description: 'The sign-in page' })
  loginPage(): string {
    return this.page;
  }

  @Post('login')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Trade an admin token for a dashboard session cookie',
    description:
      'Only from the dashboard’s own origin (403 otherwise). The session lasts 15 minutes or ' +
      'until the token expires, is valid on /admin/queues only, and is not the token.',
  })
  @ApiNoContentResponse({ description: 'Signed in', headers: SET_COOKIE_DOC })
  async login(
    @Body() dto: AdminLoginDto,
    @Headers('origin') origin?: string,
    @Headers('host') host?: string,
  ): Promise<Response> {
    sameOriginOnly(origin, host);
    let admin: Principal;
    try {
      admin = await this.verifier.verify(dto.token);
    } catch {
      throw new UnauthorizedException('invalid or expired token');
    }
    if (!admin.scopes.has('admin'))
      throw new ForbiddenException(`this endpoint needs the 'admin' scope`);
    const session = await this.sessions.open(admin);
    return new Response(null, {
      status: 204,
      headers: {
        'Set-Cookie': sessionCookie(session.id, session.maxAgeSeconds),
        'Cache-Control': 'no-store',
      },
    });
  }

  @Post('logout')
  @HttpCode(204)
  @ApiOperation({ summary: 'End the dashboard session', description: 'Only from the own origin.' })
  @ApiNoContentResponse({
    description: 'Signed out (also when not signed in)',
    headers: SET_COOKIE_DOC,
  })
  async logout(
    @Headers('cookie') cookie?: string,
    @Headers('origin') origin?: string,
    @Headers('host') host?: string,
  ): Promise<Response> {
    sameOriginOnly(origin, host);
    const id = sessionIdOf(cookie);
    if (id) await this.sessions.close(id);
    return new Response(null, { status: 204, headers: { 'Set-Cookie': clearedSessionCookie() } });
  }
}

/** A browser names the origin of every POST; a script without Origin has no cookie to abuse. */
function sameOriginOnly(origin: string | undefined, host: string | undefined): void {
  if (origin !== undefined && !isSameOrigin(origin, host)) {
    throw new ForbiddenException('sign-in is accepted from the dashboard’s own origin only');
  }
}
