import { ExecutionContext, ForbiddenException, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { IS_PUBLIC, REQUIRED_SCOPE } from './auth.decorators';
import type { Principal, Scope } from './principal';

/** Global guard: every route needs a valid JWT unless @Public(); @RequireScope adds a 403 check. */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (context.getType() !== 'http') return true;
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    await super.canActivate(context);
    const scope = this.reflector.getAllAndOverride<Scope | undefined>(REQUIRED_SCOPE, targets);
    if (scope) {
      const principal = context.switchToHttp().getRequest<{ user: Principal }>().user;
      if (!principal.scopes.has(scope)) {
        throw new ForbiddenException(`this endpoint needs the '${scope}' scope`);
      }
    }
    return true;
  }
}
