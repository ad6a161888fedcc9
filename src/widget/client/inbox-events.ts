/**
 * The DOM events a <herald-inbox> dispatches to its page, all bubbling and composed (they
 * leave the shadow root): `herald-open` {notification} (cancelable: cancelling keeps it
 * unread), `herald-status` {status}, `herald-unauthorized` (the token was refused for good).
 */
import type { ConnectionStatus, Notification } from './types';

/** The user opened a notification; false when the page cancelled the event. */
export function dispatchOpen(element: HTMLElement, notification: Notification): boolean {
  return element.dispatchEvent(
    new CustomEvent('herald-open', {
      detail: { notification },
      bubbles: true,
      composed: true,
      cancelable: true,
    }),
  );
}

export function dispatchStatus(element: HTMLElement, status: ConnectionStatus): void {
  element.dispatchEvent(
    new CustomEvent('herald-status', { detail: { status }, bubbles: true, composed: true }),
  );
  if (status === 'unauthorized') {
    element.dispatchEvent(
      new CustomEvent('herald-unauthorized', { bubbles: true, composed: true }),
    );
  }
}
