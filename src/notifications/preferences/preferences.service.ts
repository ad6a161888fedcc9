/**
 * Preferences (API.md "Preferences"): read and merged for a user, pushed to the user's sockets
 * on change, and applied to notifications. In-app: NotificationStore drops muted recipients
 * before it stores a batch (one lookup per batch). Push: the Web Push path asks
 * `mutedForPush` before sending.
 */
import { Injectable, Logger } from '@nestjs/common';
import { RealtimePublisher } from '../../realtime/realtime.publisher';
import { InboxMetrics } from '../inbox-metrics';
import type { NotificationContent } from '../notification.types';
import { PreferencesStore } from './preferences.store';
import type { PreferencesDocument, PreferencesPatch } from './preferences.types';

@Injectable()
export class PreferencesService {
  private readonly logger = new Logger(PreferencesService.name);

  constructor(
    private readonly store: PreferencesStore,
    private readonly realtime: RealtimePublisher,
    private readonly metrics: InboxMetrics,
  ) {}

  get(userId: string): Promise<PreferencesDocument> {
    return this.store.get(userId);
  }

  receivedTypes(userId: string, limit: number): Promise<string[]> {
    return this.store.receivedTypes(userId, limit);
  }

  /** Merges, then pushes the whole document as `preferences` to every socket of the user. */
  async patch(userId: string, patch: PreferencesPatch): Promise<PreferencesDocument> {
    const document = await this.store.patch(userId, patch);
    try {
      await this.realtime.sendToUser(userId, 'preferences', document);
    } catch (error) {
      // Committed already; the next GET (the widget reloads on `ready`) shows it.
      this.logger.warn(`preferences change not pushed: ${(error as Error).message}`);
    }
    return document;
  }

  /**
   * Of `userIds`, those whose preferences mute `push` for `type` (one query). A `critical`
   * notification ignores mutes: the caller does not ask for it. Counts each muted one in
   * `herald_notifications_muted_total{channel="push"}`.
   */
  async mutedForPush(userIds: readonly string[], type: string): Promise<Set<string>> {
    const positions = await this.store.muted(
      'push',
      [type],
      userIds.map(() => 0),
      userIds,
    );
    this.metrics.muted('push', positions.size);
    return new Set([...positions].map((k) => userIds[k]));
  }

  /**
   * Removes, in place, the recipients whose preferences mute their publication's type in-app
   * (`ords[i]` indexes `contents`; critical publications keep all of theirs). Answers how many
   * were removed per publication (the caller counts those of publications it stored, with
   * `countMutedInApp`: a retried batch filters again but stores nothing).
   */
  async dropMutedInApp(
    contents: readonly NotificationContent[],
    ords: number[],
    userIds: string[],
  ): Promise<Map<number, number>> {
    const removed = new Map<number, number>();
    if (contents.every((content) => content.critical)) return removed;
    const positions: number[] = [];
    for (let i = 0; i < ords.length; i++) if (!contents[ords[i]].critical) positions.push(i);
    const muted = await this.store.muted(
      'inApp',
      contents.map((content) => content.type),
      positions.map((i) => ords[i]),
      positions.map((i) => userIds[i]),
    );
    if (muted.size === 0) return removed;
    const drop = new Set([...muted].map((k) => positions[k]));
    let kept = 0;
    for (let i = 0; i < ords.length; i++) {
      if (drop.has(i)) {
        removed.set(ords[i], (removed.get(ords[i]) ?? 0) + 1);
        continue;
      }
      ords[kept] = ords[i];
      userIds[kept] = userIds[i];
      kept++;
    }
    ords.length = kept;
    userIds.length = kept;
    return removed;
  }

  /** `herald_notifications_muted_total{channel="inApp"}`. */
  countMutedInApp(count: number): void {
    this.metrics.muted('inApp', count);
  }
}
