/**
 * Decides who gets a Web Push for what was just stored, and queues it: recipients who have a
 * subscription, no open connection on any instance (Presence) and no `push` mute for the type
 * (critical notifications ignore mutes). Called by the store-and-push step right after the
 * rows went to the sockets; it adds one job per PUSH_BATCH_SIZE recipients. Job ids come from
 * the notification ids, so a publish job retried after this ran queues nothing new.
 */
import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { PRESENCE, type Presence } from '../realtime/presence.port';
import {
  PUSH_MUTES,
  type PushablePublication,
  type PushDispatch,
  type PushMutes,
} from './push.ports';
import { PUSH_BATCH_SIZE, type PushBatchJobData, type PushRecipient } from './push.jobs';
import { PushQueue } from './push.queue';
import { PushSubscriptionsService } from './push-subscriptions.service';

@Injectable()
export class PushDispatcher implements PushDispatch {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(PRESENCE) private readonly presence: Presence,
    @Inject(PUSH_MUTES) private readonly mutes: PushMutes,
    private readonly subscriptions: PushSubscriptionsService,
    private readonly queue: PushQueue,
  ) {}

  async dispatch(publications: readonly PushablePublication[]): Promise<void> {
    if (!this.config.webPush.vapid) return;
    const everyone = new Set<string>();
    for (const p of publications) for (const r of p.recipients) everyone.add(r.userId);
    if (everyone.size === 0) return;
    const subscribed = await this.subscriptions.subscribedUserIds([...everyone]);
    if (subscribed.size === 0) return;
    const online = await this.presence.onlineUserIds([...subscribed]);
    const reachable = [...subscribed].filter((userId) => !online.has(userId));
    if (reachable.length === 0) return;
    const offline = new Set(reachable);

    const batches: PushBatchJobData[] = [];
    for (const publication of publications) {
      const { type, title, body, data } = publication.content;
      const critical = publication.content.critical === true;
      let recipients = publication.recipients.filter((r) => offline.has(r.userId));
      if (recipients.length && !critical) {
        const muted = await this.mutes.mutedUserIds(
          [...new Set(recipients.map((r) => r.userId))],
          type,
        );
        recipients = recipients.filter((r) => !muted.has(r.userId));
      }
      const sorted: PushRecipient[] = recipients
        .map(({ userId, id, seq }) => ({ userId, id, seq }))
        .sort((a, b) => (a.id < b.id ? -1 : 1));
      for (let i = 0; i < sorted.length; i += PUSH_BATCH_SIZE) {
        const chunk = sorted.slice(i, i + PUSH_BATCH_SIZE);
        batches.push({
          key: `push-${digest(chunk)}`,
          attempt: 0,
          content: { type, title, body, data },
          createdAt: publication.createdAt,
          critical,
          recipients: chunk,
        });
      }
    }
    await this.queue.addBatches(batches);
  }
}

function digest(recipients: readonly PushRecipient[]): string {
  const hash = createHash('sha256');
  for (const r of recipients) hash.update(r.id);
  return hash.digest('base64url').slice(0, 32);
}
