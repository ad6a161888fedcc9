/**
 * PUSH_MUTES answered by the user's preferences (`push` channel, most specific type pattern).
 * PreferencesService lives in NotificationsModule, which imports PushModule to dispatch pushes;
 * it is looked up through ModuleRef on first use so the two modules do not import each other.
 */
import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { PreferencesService } from '../notifications/preferences/preferences.service';
import type { PushMutes } from './push.ports';

@Injectable()
export class PreferencePushMutes implements PushMutes {
  private preferences: PreferencesService | null = null;

  constructor(private readonly moduleRef: ModuleRef) {}

  mutedUserIds(userIds: readonly string[], type: string): Promise<Set<string>> {
    let preferences = this.preferences;
    if (!preferences) {
      preferences = this.moduleRef.get(PreferencesService, { strict: false });
      if (!preferences) throw new Error('PreferencesService is not provided');
      this.preferences = preferences;
    }
    return preferences.mutedForPush(userIds, type);
  }
}
