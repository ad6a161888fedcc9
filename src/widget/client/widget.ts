/**
 * widget.js: defines `<herald-inbox>` and `window.Herald`, the small API for apps that render
 * their own UI or fetch tokens themselves:
 *
 *   const inbox = Herald.connect({ server, getToken: () => fetchTokenFromMyBackend() });
 *   inbox.subscribe(() => render(inbox.snapshot()));
 *   inbox.markRead(id); inbox.markAllRead(); inbox.loadOlder(); inbox.release();
 *
 * `connect` shares the page's connection with any widget for the same server and token.
 */
import { acquireClient, normalizeServer, releaseClient, SCRIPT_ORIGIN } from './client-registry';
import { HeraldInboxElement } from './herald-inbox.element';
import type { InboxEvent, InboxSnapshot } from './inbox-client';
import type { TokenProvider } from './token-source';

export interface ConnectOptions {
  /** Herald's base URL; default: where widget.js was loaded from. */
  server?: string;
  token?: string;
  getToken?: TokenProvider;
}

export interface InboxHandle {
  snapshot(): InboxSnapshot;
  subscribe(listener: (event: InboxEvent) => void): () => void;
  loadOlder(): Promise<void>;
  markRead(id: string): Promise<void>;
  markAllRead(): Promise<void>;
  /** Drops this handle; the socket closes when nothing else on the page uses it. */
  release(): void;
}

function connect(options: ConnectOptions): InboxHandle {
  if (!options.token && typeof options.getToken !== 'function') {
    throw new TypeError('Herald.connect needs a token or a getToken function');
  }
  const client = acquireClient(normalizeServer(options.server ?? SCRIPT_ORIGIN), options);
  let released = false;
  void client.ensureLoaded();
  return {
    snapshot: () => client.snapshot(),
    subscribe: (listener) => client.subscribe(listener),
    loadOlder: () => client.loadOlder(),
    markRead: (id) => client.markRead(id),
    markAllRead: () => client.markAllRead(),
    release: () => {
      if (released) return;
      released = true;
      releaseClient(client);
    },
  };
}

declare global {
  interface Window {
    Herald?: { version: string; connect: typeof connect };
  }
  interface HTMLElementTagNameMap {
    'herald-inbox': HeraldInboxElement;
  }
}

// A second copy of widget.js on the page keeps the first definition.
if (!customElements.get('herald-inbox')) {
  customElements.define('herald-inbox', HeraldInboxElement);
  window.Herald = { version: '1', connect };
}
