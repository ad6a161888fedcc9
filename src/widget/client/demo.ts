/**
 * demo.js, the script of the demo page at `/`: picks a user name, gets that user a demo token
 * (POST /demo/token) for the page's <herald-inbox>, and publishes test notifications to the
 * user (POST /demo/publish). The user name lives in `?user=`, so a second tab shows the same
 * inbox.
 */
import type { HeraldInboxElement } from './herald-inbox.element';

interface DemoToken {
  token: string;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const inbox = $<HeraldInboxElement>('inbox');
const userForm = $<HTMLFormElement>('user-form');
const userInput = $<HTMLInputElement>('user-name');
const publishForm = $<HTMLFormElement>('publish-form');
const publishButton = $<HTMLButtonElement>('publish-button');
const publishStatus = $<HTMLParagraphElement>('publish-status');
const who = $<HTMLSpanElement>('who');
const demoOn = document.body.dataset['demo'] === 'on';
/** As DemoTokenDto checks it. */
const DEMO_USER = /^[A-Za-z0-9._@-]{1,64}$/;

let userId = '';
let token = '';

async function fetchToken(): Promise<string> {
  const response = await fetch('/demo/token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ userId }),
  });
  if (!response.ok) throw new Error(await failure(response));
  token = ((await response.json()) as DemoToken).token;
  return token;
}

function signIn(name: string): void {
  // Another user on this browser: the previous one's push subscription goes first.
  if (userId && userId !== name) void inbox.signOut();
  userId = name;
  token = '';
  userInput.value = name;
  const url = new URL(location.href);
  url.searchParams.set('user', name);
  history.replaceState(null, '', url);
  who.textContent = `Signed in as ${name}`;
  // A new function per user: the widget treats it as a new identity and connects afresh.
  inbox.getToken = () => fetchToken();
  inbox.hidden = false;
  publishButton.disabled = false;
  const secondTab = $<HTMLAnchorElement>('second-tab-link');
  secondTab.href = url.toString();
  $('second-tab').hidden = false;
}

async function publish(title: string, body: string): Promise<void> {
  const send = async () =>
    fetch('/demo/publish', {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Authorization: `Bearer ${token || (await fetchToken())}`,
      },
      body: JSON.stringify({ title, body }),
    });
  let response = await send();
  if (response.status === 401) {
    token = '';
    response = await send();
  }
  if (!response.ok) throw new Error(await failure(response));
}

async function failure(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { message?: string | string[] };
    return Array.isArray(body.message) ? body.message.join(', ') : (body.message ?? '');
  } catch {
    return `HTTP ${response.status}`;
  }
}

function showStatus(text: string, error = false): void {
  publishStatus.textContent = text;
  publishStatus.classList.toggle('error', error);
}

userForm.addEventListener('submit', (event) => {
  event.preventDefault();
  if (!userForm.reportValidity()) return;
  signIn(userInput.value.trim());
});

publishForm.addEventListener('submit', (event) => {
  event.preventDefault();
  if (!userId || !publishForm.reportValidity()) return;
  const title = $<HTMLInputElement>('publish-title').value;
  const body = $<HTMLTextAreaElement>('publish-body').value;
  publishButton.disabled = true;
  showStatus('Publishing…');
  publish(title, body)
    .then(() => showStatus(`Queued. Watch the bell, ${userId}.`))
    .catch((error: unknown) => showStatus(`Not published: ${(error as Error).message}`, true))
    .finally(() => (publishButton.disabled = false));
});

const origin = location.origin;
$('embed-snippet').textContent =
  `<script src="${origin}/widget.js"></script>\n<herald-inbox token="USER_JWT"></herald-inbox>`;
$('curl-snippet').textContent =
  `curl -X POST ${origin}/v1/notifications \\\n` +
  `  -H "Authorization: Bearer $SERVICE_JWT" -H "Content-Type: application/json" \\\n` +
  `  -d '{"userIds":["demo:${userId || 'ada'}"],"type":"report.ready","title":"Your report is ready"}'`;

if (!demoOn) {
  $('demo-steps').hidden = true;
  $('demo-off').hidden = false;
} else {
  const requested = new URL(location.href).searchParams.get('user');
  if (requested && DEMO_USER.test(requested)) signIn(requested);
}
