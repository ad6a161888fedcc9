/**
 * The PUSH_MUTES answer while Herald keeps no per-type preferences: nobody has muted anything.
 * The preferences service answers instead once it exists (push.module.ts names the provider).
 */
import { Injectable } from '@nestjs/common';
import type { PushMutes } from './push.ports';

@Injectable()
export class NoPushMutes implements PushMutes {
  mutedUserIds(): Promise<Set<string>> {
    return Promise.resolve(new Set());
  }
}
