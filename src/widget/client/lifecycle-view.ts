/**
 * The lifecycle parts of the widget's DOM: the tabs (Inbox / Archived / Settings), each row's
 * action buttons (snooze with its presets, archive or move back, delete), and the preferences
 * panel. DOM calls only, text through textContent (see inbox-view.ts).
 */
import type { LifecycleSnapshot } from './inbox-lifecycle';
import { effectiveSwitch, snoozePresets } from './lifecycle-rules';
import { archiveIcon, clockIcon, settingsIcon, trashIcon, unarchiveIcon } from './icons';
import { h } from './inbox-view';

export type Tab = 'inbox' | 'archived' | 'settings';

export interface LifecycleShell {
  tabs: HTMLDivElement;
  tab: Record<Tab, HTMLButtonElement>;
  archiveAll: HTMLButtonElement;
  prefs: HTMLDivElement;
}

export function createLifecycleShell(): LifecycleShell {
  const tab = (name: Tab, label: string, ...children: Node[]) => {
    const button = h(
      'button',
      { type: 'button', role: 'tab', class: `tab tab-${name}`, 'data-tab': name },
      ...children,
    );
    if (children.length === 0) button.textContent = label;
    else button.setAttribute('aria-label', label);
    button.setAttribute('aria-selected', String(name === 'inbox'));
    return button;
  };
  const tabs = {
    inbox: tab('inbox', 'Inbox'),
    archived: tab('archived', 'Archived'),
    settings: tab('settings', 'Notification settings', settingsIcon()),
  };
  const archiveAll = h('button', { type: 'button', class: 'link archive-all' }, 'Archive all');
  const tablist = h('div', { role: 'tablist', class: 'tablist' }, tabs.inbox, tabs.archived);
  return {
    tabs: h('div', { class: 'tabs' }, tablist, archiveAll, tabs.settings),
    tab: tabs,
    archiveAll,
    prefs: h('div', { class: 'prefs', hidden: '' }),
  };
}

export function selectTab(shell: LifecycleShell, selected: Tab): void {
  for (const [name, button] of Object.entries(shell.tab)) {
    button.setAttribute('aria-selected', String(name === selected));
  }
}

/** The action buttons of a row; which ones show depends on the list's tab (styles.ts). */
export function createRowActions(title: string): HTMLDivElement {
  const button = (cls: string, label: string, icon: SVGSVGElement) =>
    h(
      'button',
      { type: 'button', class: `act ${cls}`, title: label, 'aria-label': `${label}: ${title}` },
      icon,
    );
  const menu = h(
    'div',
    { class: 'snooze-menu', role: 'menu', hidden: '' },
    ...snoozePresets().map((preset, index) =>
      h(
        'button',
        { type: 'button', role: 'menuitem', class: 'snooze-option', 'data-preset': String(index) },
        preset.label,
      ),
    ),
  );
  const snooze = button('snooze', 'Snooze', clockIcon());
  snooze.setAttribute('aria-haspopup', 'menu');
  snooze.setAttribute('aria-expanded', 'false');
  return h(
    'div',
    { class: 'actions' },
    snooze,
    button('archive', 'Archive', archiveIcon()),
    button('unarchive', 'Move to inbox', unarchiveIcon()),
    button('delete', 'Delete', trashIcon()),
    menu,
  );
}

/** Opens or closes a row's snooze menu; opening focuses its first preset. */
export function toggleSnoozeMenu(row: Element, open: boolean): void {
  const menu = row.querySelector<HTMLElement>('.snooze-menu');
  const trigger = row.querySelector<HTMLElement>('.snooze');
  if (!menu || !trigger) return;
  menu.hidden = !open;
  trigger.setAttribute('aria-expanded', String(open));
  if (open) menu.querySelector<HTMLButtonElement>('button')?.focus();
}

/** The preferences panel: one row per type with a switch per channel. */
export function renderPreferences(container: HTMLElement, lifecycle: LifecycleSnapshot): void {
  const preferences = lifecycle.preferences;
  container.replaceChildren();
  if (!preferences) {
    container.append(h('p', { class: 'prefs-note' }, 'Loading settings…'));
    return;
  }
  container.append(h('p', { class: 'prefs-note' }, 'Choose which notifications you get, by type.'));
  if (lifecycle.types.length === 0) {
    container.append(h('p', { class: 'prefs-note' }, 'No notifications yet.'));
    return;
  }
  const channels: ['inApp' | 'push', string][] = [['inApp', 'In-app']];
  if (lifecycle.pushAvailable) channels.push(['push', 'Push']);
  const list = h('ul', { class: 'prefs-list' });
  for (const type of lifecycle.types) {
    const switches = channels.map(([channel, label]) => {
      const input = h('input', {
        type: 'checkbox',
        role: 'switch',
        class: 'pref-switch',
        'data-type': type,
        'data-channel': channel,
        'aria-label': `${label}: ${type}`,
      });
      input.checked = effectiveSwitch(preferences, type, channel);
      return h('label', { class: 'pref-label' }, input, label);
    });
    list.append(
      h(
        'li',
        { class: 'pref', 'data-type': type },
        h('span', { class: 'pref-type' }, type),
        ...switches,
      ),
    );
  }
  container.append(list);
}
