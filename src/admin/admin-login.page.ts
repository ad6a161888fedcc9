/**
 * The dashboard's browser sign-in: `/admin/queues/login#token=<JWT>` stores the token in a
 * cookie for the dashboard's path and opens the dashboard. The token stays in the fragment, which
 * browsers never send, so it is in no request line and no log.
 */
export const ADMIN_PATH = '/admin/queues';
export const ADMIN_LOGIN_PATH = `${ADMIN_PATH}/login`;
export const ADMIN_COOKIE = 'herald_admin';

export function adminLoginPage(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Herald queues: sign in</title></head>
<body><p id="message">Signing in…</p>
<script>
(function () {
  var token = new URLSearchParams(location.hash.slice(1)).get('token');
  history.replaceState(null, '', location.pathname);
  if (!token) {
    document.getElementById('message').textContent =
      'Open ${ADMIN_LOGIN_PATH}#token=<a JWT with the admin scope>';
    return;
  }
  var maxAge = 3600;
  try {
    var claims = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
    maxAge = Math.max(0, Math.floor(claims.exp - Date.now() / 1000));
  } catch (e) {}
  document.cookie = '${ADMIN_COOKIE}=' + encodeURIComponent(token) + '; Path=${ADMIN_PATH}' +
    '; SameSite=Strict; Max-Age=' + maxAge + (location.protocol === 'https:' ? '; Secure' : '');
  location.replace('${ADMIN_PATH}/');
})();
</script></body></html>
`;
}
