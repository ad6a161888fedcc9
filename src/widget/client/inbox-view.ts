/**
 * The widget's DOM, built with DOM calls only: notification text goes in through textContent
 * and attributes, never through HTML parsing, so markup in a title stays text. This file: the
 * shell (bell, panel, list container); the rows are notification-rows.ts.
 */
import { badgeText } from './format';
import { bellIcon } from './icons';
import { createLifecycleShell, type LifecycleShell } from './lifecycle-view';
import type { ConnectionStatus } from './types';

type Child = Node | string;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.append(...children);
  return element;
}

export interface Shell {
  bell: HTMLButtonElement;
  badge: HTMLSpanElement;
  live: HTMLDivElement;
  panel: HTMLElement;
  count: HTMLSpanElement;
  markAll: HTMLButtonElement;
  banner: HTMLDivElement;
  bannerText: HTMLSpanElement;
  bannerButton: HTMLButtonElement;
  scroller: HTMLDivElement;
  list: HTMLUListElement;
  state: HTMLDivElement;
  stateText: HTMLSpanElement;
  stateButton: HTMLButtonElement;
  sentinel: HTMLDivElement;
  footer: HTMLDivElement;
  alertsButton: HTMLButtonElement;
  lifecycle: LifecycleShell;
}

export function createShell(): { nodes: Node[]; shell: Shell } {
  const badge = h('span', { class: 'badge', part: 'badge', 'aria-hidden': 'true', hidden: '' });
  const bell = h(
    'button',
    { type: 'button', class: 'bell', part: 'bell', 'aria-haspopup': 'dialog' },
    bellIcon(),
    badge,
  );
  bell.setAttribute('aria-expanded', 'false');
  bell.setAttribute('aria-controls', 'herald-panel');
  const live = h('div', { class: 'sr-only', role: 'status', 'aria-live': 'polite' });
  const count = h('span', { class: 'count' });
  const markAll = h('button', { type: 'button', class: 'link' }, 'Mark all as read');
  const bannerText = h('span');
  const bannerButton = h('button', { type: 'button', class: 'link' }, 'Retry now');
  const banner = h(
    'div',
    { class: 'banner', role: 'status', hidden: '' },
    bannerText,
    bannerButton,
  );
  const list = h('ul', { class: 'list', 'aria-labelledby': 'herald-heading' });
  const stateText = h('span');
  const stateButton = h('button', { type: 'button', class: 'link', hidden: '' }, 'Try again');
  const state = h('div', { class: 'state' }, stateText, h('br'), stateButton);
  const sentinel = h('div', { class: 'sentinel', 'aria-hidden': 'true' });
  const lifecycle = createLifecycleShell();
  const scroller = h('div', { class: 'scroller' }, lifecycle.prefs, list, state, sentinel);
  const alertsButton = h('button', { type: 'button', class: 'link' }, 'Enable desktop alerts');
  const footer = h('div', { class: 'footer', hidden: '' }, alertsButton);
  const panel = h(
    'section',
    {
      id: 'herald-panel',
      class: 'panel',
      part: 'panel',
      role: 'dialog',
      'aria-labelledby': 'herald-heading',
      tabindex: '-1',
      hidden: '',
    },
    h(
      'div',
      { class: 'header' },
      h('h2', { class: 'heading', id: 'herald-heading' }, 'Notifications', count),
      markAll,
    ),
    lifecycle.tabs,
    banner,
    scroller,
    footer,
  );
  return {
    nodes: [bell, live, panel],
    shell: {
      bell,
      badge,
      live,
      panel,
      count,
      markAll,
      banner,
      bannerText,
      bannerButton,
      scroller,
      list,
      state,
      stateText,
      stateButton,
      sentinel,
      footer,
      alertsButton,
      lifecycle,
    },
  };
}

/** The bell: the unread badge (bumped when the count went up), its label, the offline look. */
export function renderBell(
  shell: Shell,
  label: string,
  unread: { now: number | null; shown: number | null },
  status: ConnectionStatus | null,
): void {
  const { badge, bell } = shell;
  badge.hidden = !unread.now;
  badge.textContent = unread.now ? badgeText(unread.now) : '';
  if (unread.now !== null && unread.shown !== null && unread.now > unread.shown) {
    badge.classList.remove('bump');
    void badge.offsetWidth; // restart the animation
    badge.classList.add('bump');
  }
  bell.setAttribute('aria-label', unread.now ? `${label}, ${unread.now} unread` : label);
  const down = status === 'offline' || status === 'unauthorized';
  bell.classList.toggle('offline', down);
  bell.title = down ? `${label} (offline)` : label;
}
