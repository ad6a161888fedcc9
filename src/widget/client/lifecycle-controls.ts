/**
 * The widget's lifecycle interactions: tab switching, a row's archive / move back / delete /
 * snooze buttons and presets, "Archive all", and the preference switches. Every control is a
 * native button or checkbox, so Tab, Enter and Space reach and use them.
 */
import type { InboxClient } from './inbox-client';
import { snoozePresets } from './lifecycle-rules';
import type { Shell } from './inbox-view';
import { renderPreferences, selectTab, toggleSnoozeMenu, type Tab } from './lifecycle-view';
import type { InboxSnapshot } from './types';

export class LifecycleControls {
  tab: Tab = 'inbox';
  private shownPreferences = '';

  constructor(
    private readonly shell: Shell,
    private readonly client: () => InboxClient | null,
    private readonly render: () => void,
  ) {
    const { lifecycle } = shell;
    for (const [name, button] of Object.entries(lifecycle.tab)) {
      button.addEventListener('click', () => this.show(name as Tab));
    }
    lifecycle.archiveAll.addEventListener(
      'click',
      () => void this.client()?.lifecycle.archiveAll(),
    );
    lifecycle.prefs.addEventListener('change', (event) => {
      const input = event.target as HTMLInputElement;
      const type = input.dataset['type'];
      const channel = input.dataset['channel'];
      if (!type || (channel !== 'inApp' && channel !== 'push')) return;
      void this.client()?.lifecycle.setSwitch(type, channel, input.checked);
    });
  }

  show(tab: Tab): void {
    this.tab = tab;
    selectTab(this.shell.lifecycle, tab);
    const lifecycle = this.client()?.lifecycle;
    if (tab === 'archived') void lifecycle?.loadArchived().catch(() => undefined);
    if (tab === 'settings') void lifecycle?.loadPreferences().catch(() => undefined);
    this.render();
  }

  /** The items of the shown tab, and the panel's parts set for it. */
  renderTab(snapshot: InboxSnapshot | undefined): InboxSnapshot | undefined {
    const { shell, tab } = this;
    shell.list.classList.toggle('in-archived', tab === 'archived');
    shell.lifecycle.prefs.hidden = tab !== 'settings';
    shell.markAll.hidden = tab !== 'inbox';
    shell.lifecycle.archiveAll.hidden = tab !== 'inbox';
    shell.lifecycle.archiveAll.disabled = !snapshot?.items.length;
    if (tab === 'settings' && snapshot) {
      const key = JSON.stringify([
        snapshot.lifecycle.preferences,
        snapshot.lifecycle.types,
        snapshot.lifecycle.pushAvailable,
      ]);
      if (key !== this.shownPreferences) this.renderPreferences(snapshot);
      this.shownPreferences = key;
    }
    if (!snapshot || tab === 'inbox') return snapshot;
    if (tab === 'settings')
      return { ...snapshot, items: [], loaded: true, loading: null, loadError: null };
    return {
      ...snapshot,
      items: snapshot.lifecycle.archived,
      loaded: snapshot.lifecycle.archivedLoaded,
      hasMore: snapshot.lifecycle.archivedHasMore,
      loading: null,
      loadError: null,
    };
  }

  emptyText(): string {
    if (this.tab === 'archived') return 'Nothing archived. Archived notifications show up here.';
    return this.tab === 'settings'
      ? ''
      : 'You’re all caught up. New notifications will show up here.';
  }

  /** A click on a row's lifecycle control; true when it was one. */
  onRowClick(target: Element, row: HTMLLIElement, id: string): boolean {
    const lifecycle = this.client()?.lifecycle;
    const snapshot = this.client()?.snapshot();
    const notification =
      snapshot?.items.find((n) => n.id === id) ??
      snapshot?.lifecycle.archived.find((n) => n.id === id);
    if (!lifecycle || !notification) return false;
    const act = (run: () => Promise<void>) => {
      this.focusNeighbour(row);
      void run();
      return true;
    };
    if (target.closest('.archive')) return act(() => lifecycle.archive(notification));
    if (target.closest('.unarchive')) return act(() => lifecycle.unarchive(notification));
    if (target.closest('.delete')) return act(() => lifecycle.remove(notification));
    const option = target.closest<HTMLElement>('.snooze-option');
    if (option) {
      const preset = snoozePresets()[Number(option.dataset['preset'])];
      return act(() => lifecycle.snooze(notification, preset.until));
    }
    if (target.closest('.snooze')) {
      toggleSnoozeMenu(row, row.querySelector('.snooze-menu')?.hasAttribute('hidden') ?? false);
      return true;
    }
    return false;
  }

  /** Arrow keys, Home and End move between the presets of an open snooze menu. */
  onMenuKey(key: string, active: Element | null | undefined): boolean {
    const menu = active?.closest('.snooze-menu');
    if (!menu || !['ArrowDown', 'ArrowUp', 'Home', 'End'].includes(key)) return false;
    const options = [...menu.querySelectorAll<HTMLButtonElement>('.snooze-option')];
    const at = options.indexOf(active as HTMLButtonElement);
    const next =
      key === 'Home'
        ? 0
        : key === 'End'
          ? options.length - 1
          : (at + (key === 'ArrowDown' ? 1 : options.length - 1)) % options.length;
    options[next].focus();
    return true;
  }

  /** Escape inside an open snooze menu closes it (not the panel); true when it did. */
  onEscape(active: Element | null | undefined): boolean {
    const row = active?.closest('li.item');
    if (!row || row.querySelector('.snooze-menu')?.hasAttribute('hidden') !== false) return false;
    toggleSnoozeMenu(row, false);
    row.querySelector<HTMLElement>('.snooze')?.focus();
    return true;
  }

  /** The row is about to go: focus moves to the next row (or the previous), not to nowhere. */
  private focusNeighbour(row: HTMLLIElement): void {
    const next = (row.nextElementSibling ?? row.previousElementSibling) as HTMLElement | null;
    (next?.querySelector<HTMLElement>('.main') ?? this.shell.panel).focus();
  }

  private renderPreferences(snapshot: InboxSnapshot): void {
    const root = this.shell.panel.getRootNode() as ShadowRoot | Document;
    const focused = root.activeElement as HTMLElement | null;
    const keep = focused?.classList.contains('pref-switch')
      ? [focused.dataset['type'], focused.dataset['channel']]
      : null;
    renderPreferences(this.shell.lifecycle.prefs, snapshot.lifecycle);
    if (keep) {
      for (const input of this.shell.lifecycle.prefs.querySelectorAll<HTMLInputElement>(
        '.pref-switch',
      )) {
        if (input.dataset['type'] === keep[0] && input.dataset['channel'] === keep[1])
          input.focus();
      }
    }
  }
}
