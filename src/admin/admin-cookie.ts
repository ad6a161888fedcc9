/**
 * The dashboard's session cookie and its same-origin rule.
 *
 * `__Host-herald_admin`, HttpOnly, Secure, SameSite=Strict, Path=/, Max-Age ≤ 15 min. Why
 * `__Host-` with Path=/ rather than `__Secure-` with Path=/admin/queues: the `__Host-` prefix
 * makes the browser refuse the cookie unless it was set by this very origin over HTTPS with no
 * Domain, so a sibling subdomain or a plain-HTTP attacker cannot plant or overwrite it (session
 * fixation); `__Secure-` allows a Domain and so allows that. A cookie Path, in turn, is no
 * security boundary (any page of the origin can reach any path), so "valid for /admin only" is
 * enforced where it can be, on the server: only the dashboard (admin-auth.ts) reads this cookie;
 * the API authenticates by bearer token alone and ignores cookies. The value is an opaque
 * session id (admin-sessions.ts), not the JWT.
 */
const ADMIN_COOKIE = '__Host-herald_admin';

export function sessionCookie(id: string, maxAgeSeconds: number): string {
  return `${ADMIN_COOKIE}=${id}; Path=/; Max-Age=${maxAgeSeconds}; HttpOnly; Secure; SameSite=Strict`;
}

export function clearedSessionCookie(): string {
  return `${ADMIN_COOKIE}=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict`;
}

export function sessionIdOf(cookieHeader: string | undefined): string | undefined {
  for (const part of (cookieHeader ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === ADMIN_COOKIE) {
      return part.slice(at + 1).trim() || undefined;
    }
  }
  return undefined;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Whether a dashboard request may change state: a safe method; or an `Origin` naming this host
 * (browsers send it on every cross-origin request and on every same-origin one that is not GET
 * or HEAD); or, with no `Origin` at all, a bearer-token caller (a script: no ambient cookie, no
 * CSRF). A cookie-authenticated write with no Origin is refused.
 */
export function mayChangeState(
  method: string,
  headers: Record<string, string | string[] | undefined>,
  byCookie: boolean,
): boolean {
  if (SAFE_METHODS.has(method)) return true;
  const origin = headers['origin'];
  if (typeof origin !== 'string') return !byCookie;
  return isSameOrigin(origin, headers['host']);
}

/** `Origin` names the host the request was sent to (Host, as the proxy passes it on). */
export function isSameOrigin(origin: string, host: string | string[] | undefined): boolean {
  if (typeof host !== 'string' || origin === 'null') return false;
  try {
    return new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}
