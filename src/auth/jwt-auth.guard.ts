import {
  ExecutionContext,
  ForbiddenException,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { IS_PUBLIC, REQUIRED_SCOPE } from './auth.decorators';
import { bearerToken } from './bearer-token';
import type { Principal, Scope } from './principal';
import { TokenVerifier } from './token-verifier';
import { rememberedPrincipal } from './verified-principal';

interface AuthenticatedRequest {
  headers: Record<string, string | string[] | undefined>;
  user?: Principal;
}

/**
 * Global guard: every route needs a valid JWT unless @Public(); @RequireScope adds a 403 check.
 * Tokens signed with the configured key go through passport-jwt; demo tokens (development
 * only, their own key) through TokenVerifier's demo check.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: TokenVerifier,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (context.getType() !== 'http') return true;
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    // Verified already by the rate limiter (same checks, demo tokens too): not a second time.
    const known = rememberedPrincipal(request);
    const token = bearerToken(request.headers['authorization']);
    if (known) {
      request.user = known;
    } else if (token && this.verifier.isDemoToken(token)) {
      try {
        request.user = this.verifier.verifyDemo(token);
      } catch (error) {
        throw new UnauthorizedException((error as Error).message);
      }
    } else {
      await super.canActivate(context);
    }
    const scope = this.reflector.getAllAndOverride<Scope | undefined>(REQUIRED_SCOPE, targets);
    if (scope) {
      if (!request.user?.scopes.has(scope)) {
        throw new ForbiddenException(`this endpoint needs the '${scope}' scope`);
      }
    }
    return true;
  }
}
