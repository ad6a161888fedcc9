/**
 * The panel's messages around the list: the connection banner (offline, signed out, a failed
 * action) and the list state (loading, empty, failed to load, loading more).
 */
import type { InboxSnapshot } from './inbox-client';
import { inboxIcon } from './icons';
import type { Shell } from './inbox-view';

export function renderPanelState(
  shell: Shell,
  snapshot: InboxSnapshot | undefined,
  hasClient: boolean,
  emptyText = 'You’re all caught up. New notifications will show up here.',
): void {
  renderBanner(shell, snapshot);
  renderListState(shell, snapshot, hasClient, emptyText);
}

function renderBanner(shell: Shell, snapshot: InboxSnapshot | undefined): void {
  let text = '';
  let error = false;
  let retry = false;
  if (snapshot?.status === 'unauthorized') {
    text = 'Your session has expired. Sign in again to get new notifications.';
    error = true;
  } else if (snapshot?.notice) {
    text = snapshot.notice;
    error = true;
  } else if (snapshot?.status === 'offline') {
    const seconds = snapshot.retryAt ? Math.ceil((snapshot.retryAt - Date.now()) / 1000) : 0;
    text = !navigator.onLine
      ? 'You’re offline. Waiting for the network…'
      : seconds > 1
        ? `Offline. Reconnecting in ${seconds} s…`
        : 'Offline. Reconnecting…';
    retry = navigator.onLine;
  }
  shell.banner.hidden = text === '';
  shell.banner.classList.toggle('error', error);
  if (shell.bannerText.textContent !== text) shell.bannerText.textContent = text;
  shell.bannerButton.hidden = !retry;
}

function renderListState(
  shell: Shell,
  snapshot: InboxSnapshot | undefined,
  hasClient: boolean,
  emptyText: string,
): void {
  let text = '';
  let retry = false;
  let empty = false;
  if (!hasClient || !snapshot) {
    text = 'Sign in to see your notifications.';
  } else if (!snapshot.loaded) {
    if (snapshot.loadError) {
      text = 'Couldn’t load your notifications.';
      retry = true;
    } else {
      text = 'Loading notifications…';
    }
  } else if (snapshot.loading === 'older') {
    text = 'Loading older notifications…';
  } else if (snapshot.loadError) {
    text = 'Couldn’t load older notifications.';
    retry = true;
  } else if (snapshot.items.length === 0) {
    text = emptyText;
    empty = true;
  }
  const compact = snapshot?.loaded === true && snapshot.items.length > 0;
  shell.list.setAttribute('aria-busy', snapshot?.loading ? 'true' : 'false');
  shell.list.hidden = !snapshot?.items.length;
  shell.state.hidden = text === '';
  shell.state.classList.toggle('compact', compact);
  const hasIcon = shell.state.firstElementChild?.tagName.toLowerCase() === 'svg';
  if (empty && !hasIcon) shell.state.prepend(inboxIcon());
  if (!empty && hasIcon) shell.state.firstElementChild?.remove();
  if (shell.stateText.textContent !== text) shell.stateText.textContent = text;
  shell.stateButton.hidden = !retry;
}
