/**
 * One InboxClient, and so one WebSocket, per server and token on a page, however many widgets
 * show it. Kept on globalThis so that two copies of widget.js on one page still share.
 */
import { InboxClient } from './inbox-client';
import { TokenSource, type TokenProvider } from './token-source';

export interface ClientAuth {
  token?: string;
  getToken?: TokenProvider;
}

interface Entry {
  client: InboxClient;
  refs: number;
  idle?: ReturnType<typeof setTimeout>;
}

interface Registry {
  entries: Map<string, Entry>;
  providerIds: WeakMap<TokenProvider, number>;
  nextProviderId: number;
}

/** Where widget.js was loaded from (read while it runs): the default server for embeds. */
export const SCRIPT_ORIGIN =
  document.currentScript instanceof HTMLScriptElement && document.currentScript.src
    ? new URL(document.currentScript.src).origin
    : location.origin;

/** A widget moved in the DOM detaches and re-attaches at once: keep its socket meanwhile. */
const IDLE_CLOSE_MS = 1000;
const GLOBAL_KEY = Symbol.for('herald.widget.registry.v1');

function registry(): Registry {
  const scope = globalThis as { [GLOBAL_KEY]?: Registry };
  return (scope[GLOBAL_KEY] ??= {
    entries: new Map(),
    providerIds: new WeakMap(),
    nextProviderId: 1,
  });
}

function keyOf(server: string, auth: ClientAuth): string {
  if (auth.getToken) {
    const reg = registry();
    let id = reg.providerIds.get(auth.getToken);
    if (id === undefined) {
      id = reg.nextProviderId++;
      reg.providerIds.set(auth.getToken, id);
    }
    return `${server}\n#${id}`;
  }
  return `${server}\n${auth.token ?? ''}`;
}

/** The shared client for `server` and this token (or token hook); release it when done. */
export function acquireClient(server: string, auth: ClientAuth): InboxClient {
  const entries = registry().entries;
  const key = keyOf(server, auth);
  let entry = entries.get(key);
  if (!entry) {
    const client = new InboxClient(server, new TokenSource(auth.token, auth.getToken));
    entry = { client, refs: 0 };
    entries.set(key, entry);
    client.start();
  }
  clearTimeout(entry.idle);
  entry.refs += 1;
  return entry.client;
}

export function releaseClient(client: InboxClient): void {
  const entries = registry().entries;
  for (const [key, entry] of entries) {
    if (entry.client !== client) continue;
    entry.refs -= 1;
    if (entry.refs > 0) return;
    entry.idle = setTimeout(() => {
      if (entry.refs > 0) return;
      entries.delete(key);
      client.stop();
    }, IDLE_CLOSE_MS);
    return;
  }
}

/** `https://herald.example.com/` → `https://herald.example.com`; throws on anything else. */
export function normalizeServer(server: string): string {
  const url = new URL(server, document.baseURI);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`herald: server must be an http(s) URL, got ${server}`);
  }
  return url.origin + url.pathname.replace(/\/+$/, '');
}
