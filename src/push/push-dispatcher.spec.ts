import type { AppConfig } from '../config/app-config';
import type { Presence } from '../realtime/presence.port';
import { PushDispatcher, publicationsOf, pushBatches } from './push-dispatcher';
import type { PushQueue } from './push.queue';
import type { PushSubscriptionsService, PushTargetRow } from './push-subscriptions.service';
import { PUSH_BATCH_SIZE, PUSH_DECIDE_SIZE, pushJobData } from './push.jobs';
import type { PushablePublication } from './push.ports';

const publication = (
  type: string,
  recipients: [userId: string, id: string][],
  critical = false,
): PushablePublication => ({
  createdAt: '2026-12-02T07:00:00.000Z',
  content: { type, title: `t ${type}`, body: 'b', data: { type }, critical },
  recipients: recipients.map(([userId, id], seq) => ({ userId, id, seq: seq + 1 })),
});

describe('pushBatches', () => {
  it('packs the pushes of many publications into one job, each recipient naming its content', () => {
    const [job, ...more] = pushBatches(
      [
        publication('a', [['u1', 'id-3']]),
        publication('b', [['u2', 'id-1']], true),
        publication('c', [['u3', 'id-2']]),
      ],
      () => true,
    );
    expect(more).toEqual([]);
    expect(job.recipients.map((r) => r.id)).toEqual(['id-1', 'id-2', 'id-3']);
    const contentOf = (id: string) =>
      job.contents[job.recipients.find((r) => r.id === id)!.content];
    expect(contentOf('id-1')).toMatchObject({ type: 'b', critical: true });
    expect(contentOf('id-2')).toMatchObject({ type: 'c', critical: false });
    expect(contentOf('id-3')).toMatchObject({ type: 'a', title: 't a' });
    expect(job.contents).toHaveLength(3);
  });

  it('keeps only the recipients wanted, cuts jobs at PUSH_BATCH_SIZE, same input same ids', () => {
    const many = Array.from(
      { length: PUSH_BATCH_SIZE + 5 },
      (_, n) => [`u${n}`, `id-${String(n).padStart(4, '0')}`] as [string, string],
    );
    const wanted = (_p: PushablePublication, userId: string) => userId !== 'u7';
    const jobs = pushBatches([publication('fan', many)], wanted);
    expect(jobs.map((j) => j.recipients.length)).toEqual([PUSH_BATCH_SIZE, 4]);
    expect(jobs.flatMap((j) => j.recipients).some((r) => r.userId === 'u7')).toBe(false);
    // One content per job, however many recipients share it.
    expect(jobs.map((j) => j.contents.length)).toEqual([1, 1]);
    expect(pushBatches([publication('fan', many)], wanted).map((j) => j.key)).toEqual(
      jobs.map((j) => j.key),
    );
  });

  it('makes no job when nobody is wanted', () => {
    expect(pushBatches([publication('a', [['u1', 'id-1']])], () => false)).toEqual([]);
  });
});

describe('publicationsOf', () => {
  it("gives a decision job's recipients back as the publications the sends are made from", () => {
    const publications = [
      publication('a', [
        ['u1', 'id-4'],
        ['u2', 'id-2'],
      ]),
      publication('b', [['u3', 'id-3']], true),
      publication('c', []),
    ];
    const [decision, ...more] = pushBatches(publications, () => true, PUSH_DECIDE_SIZE, 'decide');
    expect(more).toEqual([]);
    expect(decision.key).toMatch(/^decide-/);
    const back = publicationsOf(decision);
    expect(back.map((p) => [p.content.type, p.content.critical, p.recipients])).toEqual([
      [
        'a',
        false,
        [
          { userId: 'u2', id: 'id-2', seq: 2 },
          { userId: 'u1', id: 'id-4', seq: 1 },
        ],
      ],
      ['b', true, [{ userId: 'u3', id: 'id-3', seq: 1 }]],
    ]);
    // The sends decided from it are the jobs the publications themselves would make.
    expect(pushBatches(back, () => true)).toEqual(pushBatches(publications, () => true));
  });
});

describe('pushJobData', () => {
  it('reads a job queued in the one-content shape of earlier versions', () => {
    const old = {
      key: 'push-x',
      attempt: 1,
      content: { type: 'a', title: 't', body: 'b', data: {} },
      createdAt: '2026-12-01T00:00:00.000Z',
      critical: true,
      recipients: [{ userId: 'u1', id: 'id-1', seq: 4 }],
      pending: { 'id-1': ['s1'] },
    };
    expect(pushJobData(old)).toEqual({
      key: 'push-x',
      attempt: 1,
      contents: [{ ...old.content, createdAt: old.createdAt, critical: true }],
      recipients: [{ userId: 'u1', id: 'id-1', seq: 4, content: 0 }],
      pending: { 'id-1': ['s1'] },
    });
  });
});

describe('PushDispatcher.decide', () => {
  const job = (type: string, recipients: [string, string][], critical = false) => {
    const [decision] = pushBatches(
      [publication(type, recipients, critical)],
      () => true,
      PUSH_DECIDE_SIZE,
      'decide',
    );
    return decision;
  };
  const row = (userId: string): PushTargetRow => ({
    id: `s-${userId}`,
    userId,
    endpoint: `https://push.example/${userId}`,
    p256dh: 'k',
    auth: 'a',
  });

  it('decides jobs running side by side with one lookup each, each job getting its own batches', async () => {
    const lookups: string[][] = [];
    let releaseFirst = () => {};
    const firstHeld = new Promise<void>((resolve) => (releaseFirst = resolve));
    const subscriptions = {
      forUsers: async (userIds: readonly string[]) => {
        lookups.push([...userIds].sort());
        if (lookups.length === 1) await firstHeld;
        return userIds.filter((u) => u !== 'u-nosub').map(row);
      },
    } as unknown as PushSubscriptionsService;
    const presence: Presence = {
      onlineUserIds: (userIds) => Promise.resolve(new Set(userIds.filter((u) => u === 'u-online'))),
    };
    const muted: string[][] = [];
    const mutes = {
      mutedUserIds: (userIds: readonly string[], type: string) => {
        muted.push([type, ...[...userIds].sort()]);
        return Promise.resolve(new Set(userIds.filter((u) => u === 'u-muted')));
      },
    };
    const config = { webPush: { vapid: { publicKey: 'p' } } } as unknown as AppConfig;
    const dispatcher = new PushDispatcher(config, presence, mutes, subscriptions, {} as PushQueue);

    const first = dispatcher.decide(job('a', [['u1', 'id-1']]));
    const second = job('a', [
      ['u2', 'id-2'],
      ['u-online', 'id-3'],
      ['u-muted', 'id-4'],
    ]);
    const third = job(
      'b',
      [
        ['u-muted', 'id-5'],
        ['u-nosub', 'id-6'],
      ],
      true,
    );
    const together = Promise.all([dispatcher.decide(second), dispatcher.decide(third)]);
    releaseFirst();
    const [one, [two, three]] = await Promise.all([first, together]);

    // The first ran alone; the two that came while it ran shared one lookup of each kind.
    expect(lookups).toEqual([['u1'], ['u-muted', 'u-nosub', 'u-online', 'u2']]);
    expect(muted).toEqual([
      ['a', 'u1'],
      ['a', 'u-muted', 'u2'],
    ]);
    const ids = (d: { batches: { recipients: { id: string }[] }[] }) =>
      d.batches.flatMap((b) => b.recipients.map((r) => r.id));
    expect(ids(one)).toEqual(['id-1']);
    expect(ids(two)).toEqual(['id-2']); // online and muted left out
    expect(ids(three)).toEqual(['id-5']); // critical: past the mute; no subscription: none
    expect(two.subscriptions.map((s) => s.userId)).toEqual(['u2']);
    expect(three.subscriptions.map((s) => s.userId)).toEqual(['u-muted']);
    // Each job's batches are the ones it makes alone (same keys), so a retry makes them again.
    const alone = (d: typeof second) =>
      pushBatches(publicationsOf(d), (_p, userId) =>
        d === second ? userId === 'u2' : userId === 'u-muted',
      );
    expect(two.batches).toEqual(alone(second));
    expect(three.batches).toEqual(alone(third));
  });
});
