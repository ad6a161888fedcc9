/**
 * The widget's side of the inbox lifecycle (API.md "Inbox lifecycle", "Preferences"): the
 * archived list, archive / unarchive / delete / snooze with optimistic updates, the user's
 * preferences, and the frames by which other devices' changes arrive (each applied within the
 * socket's round trip). What changed while the page was offline arrives through `ready` and
 * the REST views: each `ready` reloads the archived list and the preferences if they are shown.
 */
import type { Frame, ServerEvents } from '../../realtime/protocol';
import { messageOf } from './format';
import type { Channel, PreferencesDocument } from './lifecycle-rules';
import { NotificationList } from './notification-list';
import type { RestClient } from './rest-client';
import type { Notification } from './types';

export interface LifecycleSnapshot {
  archived: readonly Notification[];
  archivedLoaded: boolean;
  archivedHasMore: boolean;
  preferences: PreferencesDocument | null;
  /** Types to list in the preferences panel: received ones and those with a rule. */
  types: readonly string[];
  /** Web Push is configured on the server (its channel switch is shown). */
  pushAvailable: boolean;
}

/** The hooks into the inbox list that InboxClient keeps. */
export interface InboxHooks {
  inbox: NotificationList;
  /** Puts a notification (back) into the inbox list. */
  insert(notification: Notification): void;
  /** Reloads the inbox's first page (after an "all" change another device made). */
  reload(): void;
  notice(text: string): void;
  emit(): void;
}

const id = (value: string) => encodeURIComponent(value);

export class InboxLifecycle {
  private readonly archived = new NotificationList();
  private archivedNextBefore: number | null | undefined = undefined;
  private preferences: PreferencesDocument | null = null;
  private received: string[] = [];
  private pushAvailable = false;

  constructor(
    private readonly rest: RestClient,
    private readonly hooks: InboxHooks,
  ) {}

  snapshot(): LifecycleSnapshot {
    const types = new Set(this.received);
    for (const pattern of Object.keys(this.preferences?.types ?? {})) {
      if (!pattern.endsWith('.*')) types.add(pattern);
    }
    return {
      archived: this.archived.items,
      archivedLoaded: this.archivedNextBefore !== undefined,
      archivedHasMore: typeof this.archivedNextBefore === 'number',
      preferences: this.preferences,
      types: [...types].sort(),
      pushAvailable: this.pushAvailable,
    };
  }

  /** After a (re)connect: views shown before are reloaded, so offline changes show. */
  onReady(): void {
    if (this.archivedNextBefore !== undefined) void this.loadArchived(true);
    if (this.preferences) void this.loadPreferences();
  }

  async loadArchived(fresh = false): Promise<void> {
    if (!fresh && this.archivedNextBefore !== undefined) return;
    const page = await this.rest.page(undefined, 'archived');
    this.archived.clear();
    for (const item of page.items) this.archived.insert(item);
    this.archivedNextBefore = page.nextBefore;
    this.hooks.emit();
  }

  async loadOlderArchived(): Promise<void> {
    if (typeof this.archivedNextBefore !== 'number') return;
    const page = await this.rest.page(this.archivedNextBefore, 'archived');
    for (const item of page.items) this.archived.insert(item);
    this.archivedNextBefore = page.nextBefore;
    this.hooks.emit();
  }

  async loadPreferences(): Promise<void> {
    const [preferences, types, push] = await Promise.all([
      this.rest.call<PreferencesDocument>('GET', '/v1/me/preferences'),
      this.rest.call<{ types: string[] }>('GET', '/v1/me/notification-types'),
      this.rest.call('GET', '/v1/push/vapid-public-key').then(
        () => true,
        () => false,
      ),
    ]);
    this.preferences = preferences;
    this.received = types.types;
    this.pushAvailable = push;
    this.hooks.emit();
  }

  archive(target: Notification): Promise<void> {
    return this.act(target, 'archive', `/v1/notifications/${id(target.id)}/archive`, 'POST');
  }

  unarchive(target: Notification): Promise<void> {
    return this.act(target, 'unarchive', `/v1/notifications/${id(target.id)}/unarchive`, 'POST');
  }

  remove(target: Notification): Promise<void> {
    return this.act(target, 'delete', `/v1/notifications/${id(target.id)}`, 'DELETE');
  }

  snooze(target: Notification, until: Date): Promise<void> {
    return this.act(target, 'snooze', `/v1/notifications/${id(target.id)}/snooze`, 'POST', {
      until: until.toISOString(),
    });
  }

  async archiveAll(): Promise<void> {
    const moved = this.hooks.inbox.remove(this.hooks.inbox.items.map((n) => n.id));
    this.hooks.emit();
    try {
      await this.rest.call('POST', '/v1/notifications/archive-all');
      if (this.archivedNextBefore !== undefined) void this.loadArchived(true);
    } catch (error) {
      for (const n of moved) this.hooks.insert(n);
      this.hooks.notice(`Couldn’t archive all: ${messageOf(error)}`);
    }
  }

  /** Sets one channel for exactly `type` (a rule of its own: the most specific one). */
  async setSwitch(type: string, channel: Channel, on: boolean): Promise<void> {
    const before = this.preferences;
    if (before) {
      const rule = { ...before.types[type], [channel]: on };
      this.preferences = { ...before, types: { ...before.types, [type]: rule } };
      this.hooks.emit();
    }
    try {
      this.preferences = await this.rest.call<PreferencesDocument>('PATCH', '/v1/me/preferences', {
        types: { [type]: { [channel]: on } },
      });
    } catch (error) {
      this.preferences = before;
      this.hooks.notice(`Couldn’t change the setting: ${messageOf(error)}`);
    }
    this.hooks.emit();
  }

  /** The frames of other devices' (and this one's) changes; false for any other event. */
  onFrame(frame: Frame): boolean {
    switch (frame.event) {
      case 'archived': {
        const { ids, archivedAt, all } = frame.data as ServerEvents['archived'];
        if (all && ids.length === 0) {
          this.hooks.inbox.clear();
          this.hooks.reload();
        }
        for (const n of this.hooks.inbox.remove(ids)) {
          this.archived.insert({ ...n, archivedAt, readAt: n.readAt ?? archivedAt });
        }
        if (all && this.archivedNextBefore !== undefined) void this.loadArchived(true);
        break;
      }
      case 'unarchived': {
        const { ids, all } = frame.data as ServerEvents['unarchived'];
        const back = this.archived.remove(ids);
        for (const n of back) this.hooks.insert({ ...n, archivedAt: null });
        if (all || back.length < ids.length) this.hooks.reload();
        break;
      }
      case 'deleted': {
        const { ids, all } = frame.data as ServerEvents['deleted'];
        this.hooks.inbox.remove(ids);
        this.archived.remove(ids);
        if (all && ids.length === 0) {
          this.hooks.reload();
          if (this.archivedNextBefore !== undefined) void this.loadArchived(true);
        }
        break;
      }
      case 'snoozed':
        this.hooks.inbox.remove((frame.data as ServerEvents['snoozed']).ids);
        break;
      case 'unsnoozed': {
        const { notification } = frame.data as ServerEvents['unsnoozed'];
        this.hooks.inbox.remove([notification.id]);
        this.hooks.insert(notification);
        break;
      }
      case 'preferences':
        this.preferences = frame.data as PreferencesDocument;
        break;
      default:
        return false;
    }
    this.hooks.emit();
    return true;
  }

  /** Takes the row out of its list at once; puts it back with a notice if the server refuses. */
  private async act(
    target: Notification,
    action: 'archive' | 'unarchive' | 'delete' | 'snooze',
    path: string,
    method: string,
    body?: unknown,
  ): Promise<void> {
    const fromArchive = !!this.archived.get(target.id);
    const list = fromArchive ? this.archived : this.hooks.inbox;
    list.remove([target.id]);
    if (action === 'archive') {
      const now = new Date().toISOString();
      this.archived.insert({ ...target, archivedAt: now, readAt: target.readAt ?? now });
    }
    if (action === 'unarchive') this.hooks.insert({ ...target, archivedAt: null });
    this.hooks.emit();
    try {
      await this.rest.call(method, path, body);
    } catch (error) {
      this.archived.remove([target.id]);
      this.hooks.inbox.remove([target.id]);
      if (fromArchive) this.archived.insert(target);
      else this.hooks.insert(target);
      this.hooks.notice(`Couldn’t ${action}: ${messageOf(error)}`);
      this.hooks.emit();
    }
  }
}
