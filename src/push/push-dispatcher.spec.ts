import { publicationsOf, pushBatches } from './push-dispatcher';
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
