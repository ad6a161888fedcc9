/** The rows of the notification list, keyed by id and updated in place (see inbox-view.ts). */
import { fullTime, relativeTime } from './format';
import { checkIcon } from './icons';
import { h } from './inbox-view';
import { createRowActions } from './lifecycle-view';
import type { Notification } from './types';

function createItem(notification: Notification): HTMLLIElement {
  const main = h(
    'button',
    { type: 'button', class: 'main', part: 'item-button' },
    h('span', { class: 'dot', 'aria-hidden': 'true' }),
    h(
      'span',
      { class: 'text' },
      h('span', { class: 'sr-only state-label' }),
      h('span', { class: 'title' }),
      h('span', { class: 'body' }),
      h('span', { class: 'from' }),
      h('time', { class: 'time' }),
    ),
  );
  const mark = h('button', { type: 'button', class: 'mark', title: 'Mark as read' }, checkIcon());
  const item = h(
    'li',
    { class: 'item', part: 'item' },
    main,
    mark,
    createRowActions(notification.title),
  );
  item.dataset['id'] = notification.id;
  item.dataset['seq'] = String(notification.seq);
  return item;
}

function updateItem(item: HTMLLIElement, notification: Notification, now: number): void {
  const unread = !notification.readAt;
  item.classList.toggle('unread', unread);
  item.classList.toggle('read', !unread);
  setText(item, '.state-label', unread ? 'Unread: ' : '');
  setText(item, '.title', notification.title);
  const body = item.querySelector<HTMLElement>('.body');
  if (body) {
    body.textContent = notification.body;
    body.hidden = notification.body === '';
  }
  const from = item.querySelector<HTMLElement>('.from');
  if (from) {
    const sender = senderOf(notification);
    from.textContent = sender ? `from ${sender}` : '';
    from.hidden = sender === null;
  }
  const time = item.querySelector('time');
  if (time) {
    time.dateTime = notification.createdAt;
    time.title = fullTime(notification.createdAt);
    time.textContent = relativeTime(notification.createdAt, now);
  }
  const mark = item.querySelector<HTMLButtonElement>('.mark');
  if (mark) {
    mark.hidden = !unread;
    mark.setAttribute('aria-label', `Mark as read: ${notification.title}`);
  }
}

/**
 * The sender worth showing: the publisher (a token's `sub`, for task notifications the user who
 * acted), unless it is the recipient themselves or unrecorded ('unknown', rows from before it
 * was recorded). A service's `sub` is shown too: the widget cannot tell people from services,
 * and saying which service sent it is as honest as naming a person.
 */
function senderOf(notification: Notification): string | null {
  const publisher = notification.publisher;
  if (!publisher || publisher === 'unknown' || publisher === notification.userId) return null;
  return publisher;
}

function setText(root: Element, selector: string, text: string): void {
  const element = root.querySelector(selector);
  if (element && element.textContent !== text) element.textContent = text;
}

/** Keyed by id: existing rows are updated in place, so focus and scroll position survive. */
export function renderRows(
  list: HTMLUListElement,
  rows: Map<string, HTMLLIElement>,
  items: readonly Notification[],
  refreshTimes: boolean,
): void {
  const now = Date.now();
  const wanted = new Set<string>();
  let previous: Element | null = null;
  for (const notification of items) {
    wanted.add(notification.id);
    let row = rows.get(notification.id);
    if (!row) {
      row = createItem(notification);
      rows.set(notification.id, row);
    }
    const readAt = notification.readAt ?? '';
    if (row.dataset['readAt'] !== readAt || refreshTimes) {
      updateItem(row, notification, now);
      row.dataset['readAt'] = readAt;
    }
    const expected: Element | null = previous
      ? previous.nextElementSibling
      : list.firstElementChild;
    if (row !== expected) list.insertBefore(row, expected);
    previous = row;
  }
  for (const [id, row] of rows) {
    if (wanted.has(id)) continue;
    row.remove();
    rows.delete(id);
  }
}

/** Arrow keys, Home and End move between the rows; true when the key was one of them. */
export function moveFocusInList(
  list: HTMLElement,
  key: string,
  active: Element | null | undefined,
) {
  if (!['ArrowDown', 'ArrowUp', 'Home', 'End'].includes(key)) return false;
  const buttons = [...list.querySelectorAll<HTMLButtonElement>('.main')];
  if (!buttons.length) return false;
  const current = buttons.indexOf(active as HTMLButtonElement);
  const last = buttons.length - 1;
  const next =
    key === 'Home'
      ? 0
      : key === 'End'
        ? last
        : key === 'ArrowDown'
          ? Math.min(current + 1, last)
          : Math.max(current - 1, 0);
  buttons[next].focus();
  buttons[next].scrollIntoView({ block: 'nearest' });
  return true;
}
