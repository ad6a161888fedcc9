/**
 * The widget's "Turn on push" (attribute `push="<worker path>"`): Web Push for when no tab is
 * open. Permission is asked only from the click; then the page's service worker is registered
 * at the path the page names (Herald's `/push-sw.js` on Herald's origin, or a one-line worker
 * `importScripts('<herald>/push-sw.js')` on the page's own), subscribed with the server's VAPID
 * key, and the subscription stored with Herald. `signOut()` deletes it at Herald and
 * unsubscribes the browser, so the next user of this browser gets nobody else's pushes.
 */
import { normalizeServer } from './client-registry';

type TokenGetter = () => Promise<string>;
export type PushState = 'hidden' | 'off' | 'working' | 'on' | 'denied' | 'failed';

const LABELS: Record<PushState, string> = {
  hidden: '',
  off: 'Turn on push',
  working: 'Turning on push…',
  on: 'Turn off push',
  denied: 'Push blocked in browser settings',
  failed: 'Push unavailable here — retry',
};

export class PushToggle {
  readonly button: HTMLButtonElement;
  private state: PushState = 'hidden';
  private readonly storageKey: string;

  constructor(
    private readonly server: string,
    readonly workerPath: string,
    private readonly token: TokenGetter,
    private readonly onChange: () => void,
  ) {
    this.storageKey = `herald.push.${server}`;
    this.button = document.createElement('button');
    this.button.type = 'button';
    this.button.className = 'link push';
    this.button.addEventListener('click', () => void this.toggle());
    void this.refresh();
  }

  get visible(): boolean {
    return this.state !== 'hidden';
  }

  get current(): PushState {
    return this.state;
  }

  /** Deletes this browser's subscription at Herald (with the signed-out user's token) and here. */
  async signOut(): Promise<void> {
    const saved = this.saved();
    localStorage.removeItem(this.storageKey);
    try {
      if (saved)
        await this.call('DELETE', `/v1/me/push-subscriptions/${encodeURIComponent(saved.id)}`);
    } catch {
      // the server forgets it anyway once the push service reports it gone (404/410)
    }
    const subscription = await this.subscription();
    await subscription?.unsubscribe().catch(() => undefined);
    this.set(supported() ? 'off' : 'hidden');
  }

  private async refresh(): Promise<void> {
    if (!supported()) return this.set('hidden');
    if (Notification.permission === 'denied') return this.set('denied');
    const keyResponse = await fetch(`${this.server}/v1/push/vapid-public-key`).catch(() => null);
    if (!keyResponse?.ok) return this.set('hidden'); // Web Push is off on this server
    this.set((await this.subscription()) && this.saved() ? 'on' : 'off');
  }

  private async toggle(): Promise<void> {
    if (this.state === 'working' || this.state === 'denied') return;
    if (this.state === 'on') return this.signOut();
    this.set('working');
    try {
      // Asked here, in the click, never unprompted.
      const permission = await Notification.requestPermission();
      if (permission !== 'granted') return this.set(permission === 'denied' ? 'denied' : 'off');
      const registration = await navigator.serviceWorker.register(this.workerPath);
      await activated(registration);
      const { publicKey } = (await (
        await fetch(`${this.server}/v1/push/vapid-public-key`)
      ).json()) as { publicKey: string };
      const subscription =
        (await registration.pushManager.getSubscription()) ??
        (await registration.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: base64UrlBytes(publicKey),
        }));
      const stored = (await this.call(
        'POST',
        '/v1/me/push-subscriptions',
        subscription.toJSON(),
      )) as {
        id: string;
      };
      localStorage.setItem(
        this.storageKey,
        JSON.stringify({ id: stored.id, endpoint: subscription.endpoint }),
      );
      this.set('on');
    } catch (error) {
      console.warn('Herald: could not turn on push', error);
      this.set('failed');
    }
  }

  private async subscription(): Promise<PushSubscription | null> {
    if (!supported()) return null;
    const registration = await navigator.serviceWorker.getRegistration(this.workerPath);
    return (await registration?.pushManager.getSubscription()) ?? null;
  }

  private saved(): { id: string; endpoint: string } | null {
    try {
      return JSON.parse(localStorage.getItem(this.storageKey) ?? 'null') as {
        id: string;
        endpoint: string;
      } | null;
    } catch {
      return null;
    }
  }

  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(this.server + path, {
      method,
      headers: {
        Authorization: `Bearer ${await this.token()}`,
        ...(body ? { 'Content-Type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return response.status === 204 ? null : response.json();
  }

  private set(state: PushState): void {
    this.state = state;
    this.button.textContent = LABELS[state];
    this.button.hidden = state === 'hidden';
    this.button.dataset['state'] = state;
    this.onChange();
  }
}

function supported(): boolean {
  return (
    'serviceWorker' in navigator && 'PushManager' in window && typeof Notification === 'function'
  );
}

/** Resolves once the registration has an active worker (push needs one). */
function activated(registration: ServiceWorkerRegistration): Promise<void> {
  if (registration.active) return Promise.resolve();
  const worker = registration.installing ?? registration.waiting;
  return new Promise((resolve, reject) => {
    if (!worker) return reject(new Error('the service worker did not install'));
    worker.addEventListener('statechange', () => {
      if (worker.state === 'activated') resolve();
      if (worker.state === 'redundant') reject(new Error('the service worker was replaced'));
    });
  });
}

function base64UrlBytes(value: string): Uint8Array<ArrayBuffer> {
  const base64 = value
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(value.length / 4) * 4, '=');
  const raw = atob(base64);
  const bytes = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

/**
 * The toggle a widget should have now: `current` while it fits (the same worker path), else a
 * new one in `footer` when there is a server and a worker path, else none (`current` removed).
 */
export function pushToggleFor(
  current: PushToggle | null,
  want: {
    server: string | null;
    workerPath: string | null;
    footer: HTMLElement;
    token: TokenGetter;
    onChange: () => void;
  },
): PushToggle | null {
  const { server, workerPath } = want;
  if (current && (!workerPath || !server || current.workerPath !== workerPath)) {
    current.button.remove();
    current = null;
  }
  if (current || !workerPath || !server) return current;
  const toggle = new PushToggle(normalizeServer(server), workerPath, want.token, want.onChange);
  want.footer.append(toggle.button);
  return toggle;
}
