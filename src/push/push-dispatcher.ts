/**
 * Decides who gets a Web Push for what was just stored, in two steps so that the step that
 * stores and sends to sockets pays one Redis call for Web Push, whatever the batch:
 * - `dispatch`, called by the store-and-push step once per stored batch: queues one
 *   `push-decide` job per PUSH_DECIDE_SIZE recipients, no lookups;
 * - `decide`, run by the push queue's processor (on whichever instance runs `push`): keeps the
 *   recipients who have a subscription, no open connection on any instance (Presence) and no
 *   `push` mute for the type (critical notifications ignore mutes), with one subscription, one
 *   presence and one mute lookup per type for the whole job (for all the jobs the push queue
 *   runs side by side, when they decide at once), and cuts them into batches of
 *   PUSH_BATCH_SIZE pushes, whether they come from one publication or many.
 * Ids come from the notification ids, so a retried publish job queues the same decisions
 * (not again) and a retried decision makes the same batches; presence is read when the
 * decision runs, normally milliseconds after the rows were stored and sent to the sockets.
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
import {
  PUSH_BATCH_SIZE,
  PUSH_DECIDE_SIZE,
  type PushBatchJobData,
  type PushContent,
  type PushDecideJobData,
  type PushRecipient,
} from './push.jobs';
import { PushQueue } from './push.queue';
import { PushSubscriptionsService, type PushTargetRow } from './push-subscriptions.service';
import { GroupedCalls } from './grouped-calls';

/** Decisions sharing one set of lookups, at most (each up to PUSH_DECIDE_SIZE recipients). */
const DECISIONS_PER_GROUP = 16;

@Injectable()
export class PushDispatcher implements PushDispatch {
  private readonly decisions = new GroupedCalls<PushDecideJobData, Decision>(
    (jobs) => this.decideGroup(jobs),
    DECISIONS_PER_GROUP,
  );

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(PRESENCE) private readonly presence: Presence,
    @Inject(PUSH_MUTES) private readonly mutes: PushMutes,
    private readonly subscriptions: PushSubscriptionsService,
    private readonly queue: PushQueue,
  ) {}

  async dispatch(publications: readonly PushablePublication[]): Promise<void> {
    if (!this.config.webPush.vapid) return;
    const decisions = pushBatches(publications, () => true, PUSH_DECIDE_SIZE, 'decide');
    await this.queue.addDecisions(
      decisions.map(({ key, contents, recipients }) => ({ key, contents, recipients })),
    );
  }

  /**
   * A `push-decide` job: the push batches its recipients get, with the subscriptions of
   * everyone in them (the caller sends them at once, or queues them). Decisions of jobs running
   * side by side share their lookups (GroupedCalls): one subscription, one presence and one
   * mute lookup per type for the whole group, while each job's batches are those it would get
   * alone, so a retried job still makes the same batches.
   */
  decide(data: PushDecideJobData): Promise<Decision> {
    return this.decisions.call(data);
  }

  private async decideGroup(jobs: PushDecideJobData[]): Promise<Decision[]> {
    const none: Decision = { batches: [], subscriptions: [] };
    if (!this.config.webPush.vapid) return jobs.map(() => none);
    const publicationsByJob = jobs.map(publicationsOf);
    const publications = publicationsByJob.flat();
    const everyone = new Set<string>();
    for (const p of publications) for (const r of p.recipients) everyone.add(r.userId);
    const subscriptions = await this.subscriptions.forUsers([...everyone]);
    const subscribed = new Set(subscriptions.map((s) => s.userId));
    if (subscribed.size === 0) return jobs.map(() => none);
    const online = await this.presence.onlineUserIds([...subscribed]);
    const offline = new Set([...subscribed].filter((userId) => !online.has(userId)));
    if (offline.size === 0) return jobs.map(() => none);

    // Who muted push, per type, over every non-critical publication of that type.
    const usersByType = new Map<string, Set<string>>();
    for (const p of publications) {
      if (p.content.critical === true) continue;
      for (const r of p.recipients) {
        if (!offline.has(r.userId)) continue;
        let users = usersByType.get(p.content.type);
        if (!users) usersByType.set(p.content.type, (users = new Set()));
        users.add(r.userId);
      }
    }
    const mutedByType = new Map<string, Set<string>>();
    for (const [type, users] of usersByType) {
      mutedByType.set(type, await this.mutes.mutedUserIds([...users], type));
    }
    const wanted = (p: PushablePublication, userId: string) =>
      offline.has(userId) &&
      (p.content.critical === true || !mutedByType.get(p.content.type)?.has(userId));
    const offlineSubscriptions = subscriptions.filter((s) => offline.has(s.userId));
    return publicationsByJob.map((ofJob) => {
      const batches = pushBatches(ofJob, wanted);
      if (batches.length === 0) return none;
      const users = new Set(batches.flatMap((b) => b.recipients.map((r) => r.userId)));
      return { batches, subscriptions: offlineSubscriptions.filter((s) => users.has(s.userId)) };
    });
  }
}

export interface Decision {
  batches: PushBatchJobData[];
  /** The subscriptions of the batches' recipients (of offline users, at least). */
  subscriptions: PushTargetRow[];
}

/**
 * The push jobs for `publications`, keeping the recipients `wanted` accepts: sorted by
 * notification id (so a retried publish job makes the same jobs, with the same ids), cut into
 * `size`, each job carrying the contents its recipients refer to.
 */
export function pushBatches(
  publications: readonly PushablePublication[],
  wanted: (publication: PushablePublication, userId: string) => boolean,
  size = PUSH_BATCH_SIZE,
  prefix = 'push',
): PushBatchJobData[] {
  const all: { recipient: Omit<PushRecipient, 'content'>; publication: number }[] = [];
  publications.forEach((p, publication) => {
    for (const { userId, id, seq } of p.recipients) {
      if (wanted(p, userId)) all.push({ recipient: { userId, id, seq }, publication });
    }
  });
  all.sort((a, b) => (a.recipient.id < b.recipient.id ? -1 : 1));
  const batches: PushBatchJobData[] = [];
  for (let i = 0; i < all.length; i += size) {
    const chunk = all.slice(i, i + size);
    const contents: PushContent[] = [];
    const indexOf = new Map<number, number>();
    const recipients = chunk.map(({ recipient, publication }) => {
      let index = indexOf.get(publication);
      if (index === undefined) {
        const { createdAt, content } = publications[publication];
        const { type, title, body, data } = content;
        index =
          contents.push({
            type,
            title,
            body,
            data,
            createdAt,
            critical: content.critical === true,
          }) - 1;
        indexOf.set(publication, index);
      }
      return { ...recipient, content: index };
    });
    batches.push({ key: `${prefix}-${digest(recipients)}`, attempt: 0, contents, recipients });
  }
  return batches;
}

/** A decision job's recipients as the publications they belong to (one per content). */
export function publicationsOf(data: PushDecideJobData): PushablePublication[] {
  const byContent = data.contents.map((content) => ({
    createdAt: content.createdAt,
    content,
    recipients: [] as { userId: string; id: string; seq: number }[],
  }));
  for (const { userId, id, seq, content } of data.recipients) {
    byContent[content]?.recipients.push({ userId, id, seq });
  }
  return byContent;
}

function digest(recipients: readonly PushRecipient[]): string {
  const hash = createHash('sha256');
  for (const r of recipients) hash.update(r.id);
  return hash.digest('base64url').slice(0, 32);
}
