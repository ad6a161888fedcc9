/**
 * The dashboard's browser sign-in page. It posts the token (pasted, or from the fragment of
 * `/admin/queues/login#token=<JWT>`, which browsers never send, so it is in no request line
 * and no log) to `POST /admin/queues/login`, which answers with an HttpOnly session cookie;
 * the page never stores the token.
 */
export const ADMIN_PATH = '/admin/queues';
export const ADMIN_LOGIN_PATH = `${ADMIN_PATH}/login`;
export const ADMIN_LOGIN_CSP =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; " +
  "connect-src 'self'; form-action 'self'; frame-ancestors 'none'";

export function adminLoginPage(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Herald queues: sign in</title>
<style>body{font:16px system-ui,sans-serif;margin:3rem auto;max-width:32rem}input{width:100%}</style>
</head>
<body><h1>Herald queues</h1>
<form id="login"><label for="token">A JWT with the <code>admin</code> scope</label>
<input id="token" name="token" type="password" autocomplete="off" required>
<p><button type="submit">Sign in</button></p></form>
<p id="message" role="status"></p>
<script>
(function () {
  var form = document.getElementById('login');
  var field = document.getElementById('token');
  var message = document.getElementById('message');
  function signIn(token) {
    message.textContent = 'Signing in…';
    fetch('${ADMIN_LOGIN_PATH}', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ token: token }),
      credentials: 'same-origin',
    }).then(function (response) {
      if (response.ok) return location.replace('${ADMIN_PATH}/');
      return response.json().then(function (body) {
        message.textContent = 'Not signed in: ' + [].concat(body.message).join('; ');
      });
    }, function () { message.textContent = 'Not signed in: the server did not answer'; });
  }
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    signIn(field.value);
  });
  var fromFragment = new URLSearchParams(location.hash.slice(1)).get('token');
  history.replaceState(null, '', location.pathname);
  if (fromFragment) signIn(fromFragment);
})();
</script></body></html>
`;
}
