/**
 * When a widget connection (WebSocket or SSE) opens again, one set of rules for both: after a
 * drop, wait the backoff (or for the network to come back when the browser is offline); once a
 * connection has stayed up STABLE_MS, the backoff starts over; a refused token is renewed at
 * most MAX_RENEWALS_IN_A_ROW times before the widget stops and says so, so a bad token costs
 * the server a few attempts instead of a retry loop.
 */
import { Backoff } from './backoff';
import type { TokenSource } from './token-source';
import type { ConnectionStatus } from './types';

/** A connection that stayed up this long resets the backoff. */
const STABLE_MS = 10_000;
/** Renewed tokens that may be rejected in a row before the widget gives up. */
const MAX_RENEWALS_IN_A_ROW = 2;

export interface ReconnectorHooks {
  /** `retryAt`: epoch ms of the next attempt while offline, null when waiting for the network. */
  status(status: ConnectionStatus, retryAt: number | null): void;
  /** Opens the connection again (after the backoff). */
  reopen(): void;
}

export class Reconnector {
  private readonly backoff = new Backoff();
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private stableTimer: ReturnType<typeof setTimeout> | undefined;
  private renewals = 0;

  constructor(
    private readonly tokens: TokenSource,
    private readonly hooks: ReconnectorHooks,
  ) {}

  /** An attempt starts now: a scheduled one is dropped. */
  attempting(): void {
    clearTimeout(this.retryTimer);
    this.hooks.status('connecting', null);
  }

  /** The server said `ready`: the token is good, and the connection is on probation. */
  connected(): void {
    this.renewals = 0;
    this.hooks.status('online', null);
    clearTimeout(this.stableTimer);
    this.stableTimer = setTimeout(() => this.backoff.reset(), STABLE_MS);
  }

  /** The connection is gone: it did not stay up long enough to reset the backoff. */
  disconnected(): void {
    clearTimeout(this.stableTimer);
  }

  /** Reopens after the backoff; offline, waits for the browser's `online` instead. */
  retryLater(): void {
    if (!navigator.onLine) return this.hooks.status('offline', null);
    const delay = this.backoff.next();
    this.hooks.status('offline', Date.now() + delay);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.hooks.reopen(), delay);
  }

  /** The user's "Retry now", or the network coming back: no wait, and a fresh count. */
  reset(): void {
    this.backoff.reset();
    this.renewals = 0;
  }

  /**
   * The token was refused: true once a renewed one is ready to try; false (and `unauthorized`)
   * when it cannot be renewed or renewals keep being refused.
   */
  async renewToken(): Promise<boolean> {
    if (!this.tokens.canRefresh || this.renewals >= MAX_RENEWALS_IN_A_ROW) {
      this.hooks.status('unauthorized', null);
      return false;
    }
    this.renewals += 1;
    try {
      await this.tokens.refresh();
      return true;
    } catch {
      this.hooks.status('unauthorized', null);
      return false;
    }
  }

  /** Stopped: nothing scheduled survives. */
  cancel(): void {
    clearTimeout(this.retryTimer);
    clearTimeout(this.stableTimer);
  }
}
