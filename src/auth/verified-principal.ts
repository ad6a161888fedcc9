/**
 * A request's token is verified once: a guard that verified it (the rate limiter, which runs
 * first) remembers the principal on the request, and the JWT guard takes it from there instead
 * of verifying the same token again. Held in a WeakMap, so nothing outlives the request.
 */
import type { Principal } from './principal';

const verified = new WeakMap<object, Principal>();

export function rememberPrincipal(request: object, principal: Principal): void {
  verified.set(request, principal);
}

export function rememberedPrincipal(request: object): Principal | undefined {
  return verified.get(request);
}
