export const SCOPES = ['notifications:write', 'tasks:write', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/** Who is calling: the JWT's `sub`, the service scopes it grants and when it expires. */
export interface Principal {
  userId: string;
  scopes: ReadonlySet<string>;
  /** Expiry, seconds since the epoch (`exp` is required). */
  expiresAt: number;
}

export function hasScope(principal: Principal, scope: Scope): boolean {
  return principal.scopes.has(scope);
}
