/**
 * The WebSocket upgrade, seen from the client: wait for it to succeed (or turn Herald's
 * refusal, an HTTP answer before any frame, into a HeraldError), or just read its status.
 */
import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import { HeraldError } from './herald-error';

export interface UpgradeOptions {
  protocols?: string[];
  origin?: string;
}

/** The status an upgrade is answered with (101 when accepted); rejects if a frame came first. */
export function upgradeStatus(url: string, options: UpgradeOptions = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options.protocols, {
      headers: options.origin ? { origin: options.origin } : {},
    });
    let gotFrame = false;
    ws.on('message', () => (gotFrame = true));
    ws.once('unexpected-response', (_req, res) => {
      if (gotFrame) reject(new Error('a frame arrived before the refusal'));
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('open', () => {
      resolve(101);
      ws.close();
    });
    ws.once('error', (error) => reject(error));
  });
}

/** Resolves once the upgrade succeeded; rejects with the refusal's status and body. */
export function opened(ws: WebSocket, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`no WebSocket upgrade within ${timeoutMs} ms`));
    }, timeoutMs);
    const settle = (fn: () => void) => {
      clearTimeout(timer);
      fn();
    };
    ws.once('open', () => settle(resolve));
    ws.once('error', (error) => settle(() => reject(error)));
    ws.once('unexpected-response', (_req, res: IncomingMessage) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          if (value !== undefined) headers.set(name, [value].flat().join(', '));
        }
        const status = res.statusCode ?? 0;
        settle(() => reject(HeraldError.fromResponse('GET /ws', status, headers, text)));
        ws.terminate();
      });
    });
  });
}
