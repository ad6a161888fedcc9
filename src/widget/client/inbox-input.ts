/**
 * What the user does inside a <herald-inbox>: clicks on the bell, the rows and the panel's
 * buttons, the keyboard (Escape, the row menus, arrows between rows) and focus leaving the
 * panel. The element keeps the state; this file only turns input into its calls.
 */
import { requestDesktopPermission } from './desktop-alerts';
import type { InboxClient } from './inbox-client';
import type { Shell } from './inbox-view';
import type { LifecycleControls } from './lifecycle-controls';
import { moveFocusInList } from './notification-rows';
import type { Notification } from './types';

export interface InputHost {
  /** The <herald-inbox> element itself (focus moving to it stays inside). */
  readonly element: HTMLElement;
  readonly controls: LifecycleControls;
  isOpen(): boolean;
  client(): InboxClient | null;
  toggle(): void;
  close(restoreFocus: boolean): void;
  render(): void;
  /** The user opened a notification: true unless the page cancelled `herald-open`. */
  opened(notification: Notification): boolean;
}

export function wireInput(root: ShadowRoot, shell: Shell, host: InputHost): void {
  shell.bell.addEventListener('click', () => host.toggle());
  shell.markAll.addEventListener('click', () => void host.client()?.markAllRead());
  shell.bannerButton.addEventListener('click', () => host.client()?.retry());
  shell.stateButton.addEventListener('click', () => host.client()?.retry());
  shell.alertsButton.addEventListener('click', () => {
    void requestDesktopPermission().then(() => host.render());
  });
  shell.list.addEventListener('click', (event) => onListClick(event, host));
  root.addEventListener('keydown', (event) => {
    const handled = onKey((event as KeyboardEvent).key, root.activeElement, shell, host);
    // Escape stops here (a page's own Escape handler must not also act); other keys keep
    // bubbling but lose their default (scrolling).
    if (handled === 'escape') event.stopPropagation();
    else if (handled === 'key') event.preventDefault();
  });
  root.addEventListener('focusout', (event) => {
    const next = (event as FocusEvent).relatedTarget as Node | null;
    if (host.isOpen() && next && next !== host.element && !root.contains(next)) host.close(false);
  });
}

function onListClick(event: Event, host: InputHost): void {
  const target = event.target as Element;
  const row = target.closest<HTMLLIElement>('li.item');
  const id = row?.dataset['id'];
  if (row && id && host.controls.onRowClick(target, row, id)) return;
  const client = host.client();
  const notification = id && client?.snapshot().items.find((n) => n.id === id);
  if (!row || !client || !notification) return;
  if (target.closest('.mark')) {
    row.querySelector<HTMLButtonElement>('.main')?.focus(); // the mark button is going away
    void client.markRead(notification.id);
    return;
  }
  if (target.closest('.main') && host.opened(notification)) void client.markRead(notification.id);
}

/** Which kind of key was handled, or null when it was not. */
function onKey(
  key: string,
  active: Element | null,
  shell: Shell,
  host: InputHost,
): 'escape' | 'key' | null {
  if (key === 'Escape' && host.controls.onEscape(active)) return 'escape';
  if (key === 'Escape' && host.isOpen()) {
    host.close(true);
    return 'escape';
  }
  if (host.controls.onMenuKey(key, active)) return 'key';
  return host.isOpen() && moveFocusInList(shell.list, key, active) ? 'key' : null;
}
