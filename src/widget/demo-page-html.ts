/**
 * The demo page at `/`: what Herald is, in two lines, and the widget working for a user name of
 * the visitor's choice. Static markup; its script is /demo.js (src/widget/client/demo.ts),
 * so the page runs under a CSP without inline scripts, like a careful host app would.
 */

export const DEMO_PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export function demoPageHtml(options: { demo: boolean; push?: boolean }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Herald — notification widget demo</title>
<link rel="icon" href="${FAVICON}">
<style>${STYLE}</style>
</head>
<body data-demo="${options.demo ? 'on' : 'off'}">
<header class="appbar">
  <a class="brand" href="/"><span class="logo" aria-hidden="true">H</span>Herald</a>
  <div class="account">
    <span id="who" class="who"></span>
    <herald-inbox id="inbox" desktop-notifications${options.push ? ' push="/push-sw.js"' : ''} hidden></herald-inbox>
  </div>
</header>
<main>
  <section class="hero">
    <h1>Notifications for every service, in every open tab</h1>
    <p>Herald is a self-hosted notification service: your backends publish over REST, and Herald
    stores each notification and pushes it over WebSocket to every tab and device of its user.</p>
    <p>It ships this widget: pick a user name, send yourself a notification, watch the bell.</p>
  </section>
  <div class="grid" id="demo-steps">
    <section class="card" aria-labelledby="step-user-title">
      <h2 id="step-user-title"><span class="step" aria-hidden="true">1</span>Pick a user name</h2>
      <form id="user-form">
        <label for="user-name">User name</label>
        <div class="row">
          <input id="user-name" name="userId" required maxlength="64" autocomplete="off"
            spellcheck="false" placeholder="ada" pattern="[A-Za-z0-9._@\\-]{1,64}"
            aria-describedby="user-hint">
          <button type="submit">Open inbox</button>
        </div>
        <p class="hint" id="user-hint">Letters, digits, “.”, “_”, “@” or “-”. No password: this is a demo,
        and demo users are <code>demo:&lt;name&gt;</code>, never the real user of that name.</p>
      </form>
      <p class="hint" id="second-tab" hidden>Open <a id="second-tab-link" target="_blank">a second
      tab as this user</a> and mark something read: both tabs follow.</p>
    </section>
    <section class="card" aria-labelledby="step-publish-title">
      <h2 id="step-publish-title"><span class="step" aria-hidden="true">2</span>Send a notification</h2>
      <form id="publish-form">
        <label for="publish-title">Title</label>
        <input id="publish-title" name="title" required maxlength="200" value="Your report is ready">
        <label for="publish-body">Message <span class="optional">(optional)</span></label>
        <textarea id="publish-body" name="body" maxlength="2000" rows="2">The March usage report finished exporting.</textarea>
        <button type="submit" id="publish-button" disabled>Publish</button>
      </form>
      <p id="publish-status" class="hint" role="status"></p>
    </section>
  </div>
  <section class="card" id="demo-off" hidden>
    <h2>Demo mode is off</h2>
    <p>This server does not mint demo tokens (<code>DEMO=false</code>, or <code>NODE_ENV</code>
    is not <code>development</code>). Embed the widget with a token from your backend.</p>
  </section>
  <section class="card">
    <h2>Put it in your app</h2>
    <p>Two lines in any page. The token is a JWT for the signed-in user, minted by your backend.</p>
    <pre><code id="embed-snippet"></code></pre>
    <p>Publish from any service with a <code>notifications:write</code> token:</p>
    <pre><code id="curl-snippet"></code></pre>
    <p class="hint">API reference: <a href="/docs">/docs</a></p>
  </section>
</main>
<script src="/widget.js"></script>
<script src="/demo.js"></script>
</body>
</html>
`;
}

const FAVICON =
  'data:image/svg+xml,' +
  encodeURIComponent(
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="8" fill="#4f46e5"/><text x="16" y="22" font-family="sans-serif" font-size="17" font-weight="700" fill="#fff" text-anchor="middle">H</text></svg>',
  );

const STYLE = `
:root { color-scheme: light; --ink: #0f172a; --muted: #475569; --line: #e2e8f0; --accent: #4f46e5; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--ink); background: #f8fafc; }
.appbar { position: sticky; top: 0; z-index: 10; display: flex; align-items: center;
  justify-content: space-between; padding: 10px 24px; background: #fff;
  border-bottom: 1px solid var(--line); }
.brand { display: flex; align-items: center; gap: 10px; font-weight: 700; font-size: 17px;
  color: var(--ink); text-decoration: none; }
.logo { display: grid; place-items: center; width: 30px; height: 30px; border-radius: 8px;
  background: var(--accent); color: #fff; font-size: 15px; }
.account { display: flex; align-items: center; gap: 12px; }
.who { color: var(--muted); font-size: 14px; }
main { max-width: 980px; margin: 0 auto; padding: 40px 24px 64px; }
.hero h1 { margin: 0 0 12px; font-size: 30px; line-height: 1.2; letter-spacing: -0.01em; }
.hero p { margin: 0 0 6px; max-width: 720px; color: var(--muted); font-size: 16px; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 20px;
  margin: 28px 0 20px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 14px; padding: 22px 24px;
  margin-bottom: 20px; }
.grid .card { margin: 0; }
.card h2 { display: flex; align-items: center; gap: 10px; margin: 0 0 14px; font-size: 17px; }
.step { display: grid; place-items: center; width: 26px; height: 26px; border-radius: 50%;
  background: #eef2ff; color: var(--accent); font-size: 14px; }
label { display: block; margin: 10px 0 4px; font-weight: 600; font-size: 14px; }
.optional { color: var(--muted); font-weight: 400; }
input, textarea { width: 100%; padding: 9px 11px; border: 1px solid #cbd5e1; border-radius: 8px;
  font: inherit; color: inherit; background: #fff; }
textarea { resize: vertical; }
input:focus-visible, textarea:focus-visible, button:focus-visible, a:focus-visible {
  outline: 2px solid var(--accent); outline-offset: 2px; }
.row { display: flex; gap: 8px; }
button { padding: 9px 16px; border: 0; border-radius: 8px; background: var(--accent); color: #fff;
  font: inherit; font-weight: 600; cursor: pointer; white-space: nowrap; }
form > button { margin-top: 14px; }
button:disabled { background: #a5b4fc; cursor: not-allowed; }
.hint { color: var(--muted); font-size: 13px; margin: 8px 0 0; }
.hint.error { color: #b91c1c; }
pre { margin: 8px 0 14px; padding: 14px 16px; overflow-x: auto; background: #0f172a;
  color: #e2e8f0; border-radius: 10px; font-size: 13px; line-height: 1.6; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
p code { background: #f1f5f9; padding: 1px 5px; border-radius: 4px; font-size: 13px; }
a { color: var(--accent); }
`;
