import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Principal, Scope } from './principal';

export const IS_PUBLIC = 'herald:isPublic';
export const REQUIRED_SCOPE = 'herald:requiredScope';

/** The route needs no token (health, metrics, docs, widget). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** The route needs this service scope in the token (403 otherwise). */
export const RequireScope = (scope: Scope) => SetMetadata(REQUIRED_SCOPE, scope);

/** The authenticated caller. */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal => {
    const request = context.switchToHttp().getRequest<{ user: Principal }>();
    return request.user;
  },
);
