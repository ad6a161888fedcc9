/** Publish → store → push to every socket of the user, on every instance; resume; idempotency. */
import type { PublishRequest } from '../src/client';
import { throughMarker } from './support/marker';
import { eventually, type TestApp } from './support/test-app';
import { serviceToken } from './support/tokens';
import { useTestApp } from './support/use-test-app';

// Instance 1 is a second instance of the same deployment.
const herald = useTestApp({ instances: 2, closeSocketsAfterEach: true });

/** Publishes through instance `on` (default the first) as the service, or as `token`'s sub. */
const publish = (body: PublishRequest, on = 0, token = serviceToken()) =>
  herald.client(token, on).publish(body);

/** 1..n */
const range1 = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

/** Resolves once `userId` has `count` rows in Postgres. */
async function storedRows(userId: string, count: number): Promise<void> {
  const db = await herald.db();
  await eventually(
    async () =>
      (await db.query('SELECT 1 FROM notifications WHERE user_id = $1', [userId])).rowCount ===
      count,
    5000,
    `${count} rows of ${userId}`,
  );
}

describe('publish and deliver', () => {
  it('pushes to both sockets of alice, not to bob, and stores it in her inbox with its seq', async () => {
    const [alice1, alice2, bob] = await Promise.all([
      herald.connect('alice'),
      herald.connect('alice'),
      herald.connect('bob'),
    ]);
    const accepted = await publish({
      userIds: ['alice'],
      type: 'invoice.paid',
      title: 'Invoice paid',
      data: { invoiceId: 7 },
    });
    expect(accepted).toEqual({ jobId: expect.any(String), status: 'queued' });

    const [first, second] = await Promise.all([
      alice1.next('notification'),
      alice2.next('notification'),
    ]);
    expect(first).toMatchObject({
      userId: 'alice',
      type: 'invoice.paid',
      title: 'Invoice paid',
      data: { invoiceId: 7 },
      readAt: null,
      topic: null,
    });
    expect(second).toEqual(first);
    // Had the publish reached bob, his row would have been stored with alice's, before the marker.
    const toBob = await throughMarker(bob, herald.url, 'bob');
    expect(toBob.before).toEqual([]);
    expect(toBob.marker.seq).toBe(1);

    const inbox = await herald.as('alice').inbox.list();
    expect(inbox.items).toHaveLength(1);
    expect(inbox.items[0]).toEqual(first);
    expect(inbox.items[0].seq).toBe(1);
  });

  it('delivers to a socket on instance B what was published through instance A', async () => {
    const carol = await herald.connect('carol', { on: 1 });
    await publish({ userIds: ['carol'], type: 't', title: 'cross-instance' });
    expect(await carol.next('notification')).toMatchObject({
      userId: 'carol',
      title: 'cross-instance',
      seq: 1,
    });
  });

  it('follows each new notification with the new unread count', async () => {
    const ella = await herald.connect('ella');
    await publish({ userIds: ['ella'], type: 't', title: 'one' });
    await publish({ userIds: ['ella'], type: 't', title: 'two' });
    await eventually(() => ella.all('unread').length === 2, 3000, 'two unread frames');
    expect(ella.all('unread')).toEqual([{ count: 1 }, { count: 2 }]);
    const order = ella.frames.slice(1).map((f) => f.event);
    expect(order).toEqual(['notification', 'unread', 'notification', 'unread']);
    expect(await herald.as('ella').inbox.unreadCount()).toBe(2);
  });

  it('sends ready first with the unread count and the last seq', async () => {
    await publish({ userIds: ['dave'], type: 't', title: 'one' });
    await publish({ userIds: ['dave'], type: 't', title: 'two' });
    await storedRows('dave', 2);
    const dave = await herald.connect('dave');
    expect(dave.frames[0]).toEqual({
      event: 'ready',
      data: { userId: 'dave', unreadCount: 2, lastSeq: 2 },
    });
  });
});

describe('resume', () => {
  it('replays every missed notification in order, nothing twice, then continues live', async () => {
    const erin = await herald.connect('erin');
    await publish({ userIds: ['erin'], type: 't', title: 'seen' });
    const seen = await erin.next('notification');
    await erin.close();

    for (let i = 1; i <= 12; i++)
      await publish({ userIds: ['erin'], type: 't', title: `missed ${i}` });
    await storedRows('erin', 13);

    const back = await herald.connect('erin', { on: 1 });
    back.send('resume', { afterSeq: seen.seq });
    const resumed = await back.next('resumed');
    expect(resumed).toEqual({ count: 12, complete: true });
    const replayed = back.all('notification');
    expect(replayed.map((n) => n.seq)).toEqual(range1(12).map((i) => seen.seq + i));
    expect(new Set(replayed.map((n) => n.title)).size).toBe(12);

    await publish({ userIds: ['erin'], type: 't', title: 'live after resume' });
    await eventually(() => back.all('notification').length === 13, 3000, 'the live notification');
    expect(back.all('notification').at(-1)).toMatchObject({
      seq: seen.seq + 13,
      title: 'live after resume',
    });
    const after = await throughMarker(back, herald.url, 'erin');
    expect(after.before.map((n) => n.seq)).toEqual(range1(13).map((i) => seen.seq + i));
    expect(after.marker.seq).toBe(seen.seq + 14);
  });

  it('does not duplicate a live notification that an overlapping replay already sent', async () => {
    const frank = await herald.connect('frank');
    frank.send('resume', { afterSeq: 0 });
    await frank.next('resumed');
    await Promise.all(
      range1(20).map((i) => publish({ userIds: ['frank'], type: 't', title: `burst ${i}` })),
    );
    frank.send('resume', { afterSeq: 0 }); // replays what is stored by now while the rest is live
    const { count: replayed } = await frank.next('resumed');
    // A 202 means queued, and publishes accepted separately commit (and get seqs) in any
    // order: the marker says "nothing more" only once all 20 are stored.
    await storedRows('frank', 20);
    const { before, marker } = await throughMarker(frank, herald.url, 'frank');
    expect(marker.seq).toBe(21);
    // Every frame counts, duplicates included: live 1..m until the second resume, its replay
    // 1..k (the client asked for everything again), then live k+1..20, each once.
    const second = frank.frames.filter((f) => f.event === 'resumed')[1];
    const beforeSecond = frank.frames
      .slice(0, frank.frames.indexOf(second))
      .filter((f) => f.event === 'notification').length;
    const liveFirst = beforeSecond - replayed;
    expect(liveFirst).toBeLessThanOrEqual(replayed);
    expect(before.map((n) => n.seq)).toEqual([
      ...range1(liveFirst),
      ...range1(replayed),
      ...range1(20 - replayed).map((i) => replayed + i),
    ]);
  });

  it('caps a replay at 1,000 and says it is incomplete, then continues live', async () => {
    const db = await herald.db();
    await db.query(
      `INSERT INTO notifications (user_id, seq, type, title, job_id)
       SELECT 'kim', g, 't', 'n' || g, 'seed' FROM generate_series(1, 1005) AS g`,
    );
    await db.query(
      `INSERT INTO notification_counters (user_id, last_seq, unread_count) VALUES ('kim', 1005, 1005)`,
    );
    const kim = await herald.connect('kim');
    kim.send('resume', { afterSeq: 0 });
    expect(await kim.next('resumed', 10000)).toEqual({ count: 1000, complete: false });
    expect(kim.all('notification').map((n) => n.seq)).toEqual(range1(1000));
    await publish({ userIds: ['kim'], type: 't', title: 'after the cap' });
    await eventually(() => kim.all('notification').length === 1001, 5000, 'the live one');
    expect(kim.all('notification').at(-1)).toMatchObject({ seq: 1006, title: 'after the cap' });
  });
});

describe('a replay and the live notifications held meanwhile', () => {
  // A new socket's live notifications wait for its first frame (or WS_RESUME_GRACE_MS): a long
  // grace here, so a whole burst is held while it is stored, and the replay then sends all of it.
  let holding: TestApp;

  beforeAll(async () => {
    holding = await herald.startInstance({ WS_RESUME_GRACE_MS: '30000' });
  });

  it('drops every held live notification that the replay already sent', async () => {
    const waiting = await herald.connect('gus', { on: holding }); // sends nothing: live is held
    const watcher = await herald.connect('gus', { on: holding });
    await watcher.ping(); // its first frame: live delivery to it starts now
    await Promise.all(
      range1(20).map((i) => publish({ userIds: ['gus'], type: 't', title: `held ${i}` })),
    );
    // Each bus message is handed to both sockets of gus on this instance at once: when the
    // watcher has all 20, the waiting socket holds all 20 as well.
    await eventually(() => watcher.all('notification').length === 20, 5000, 'the burst, live');
    expect(waiting.all('notification')).toEqual([]);

    waiting.send('resume', { afterSeq: 0 });
    expect(await waiting.next('resumed')).toEqual({ count: 20, complete: true });
    const { before, marker } = await throughMarker(waiting, herald.url, 'gus');
    expect(before.map((n) => n.seq)).toEqual(range1(20)); // the replay; no live copy after it
    expect(marker.seq).toBe(21);
  });
});

describe('idempotency', () => {
  it('stores one row and answers the same jobId for a repeated key, also after the job completed', async () => {
    const body = {
      userIds: ['gina'],
      type: 'invoice.paid',
      title: 'once',
      idempotencyKey: 'inv-7-paid',
    };
    const first = await publish(body);
    const second = await publish(body, 1);
    expect(second.jobId).toBe(first.jobId);
    await storedRows('gina', 1);
    const third = await publish({ ...body, title: 'changed text, same key' });
    expect(third).toEqual({ jobId: first.jobId, status: 'queued' });
    await herald.publishJobsDone(5000); // the repeat's job ran: whatever it stores is in now
    const rows = await (
      await herald.db()
    ).query(`SELECT title FROM notifications WHERE user_id = 'gina'`);
    expect(rows.rows).toEqual([{ title: 'once' }]);
  });

  it('scopes the key to the publisher: another service with the same key publishes its own', async () => {
    const body = { userIds: ['hank'], type: 't', title: 'x', idempotencyKey: 'shared-key' };
    const one = await publish(body, 0, serviceToken('service-one'));
    const two = await publish(body, 0, serviceToken('service-two'));
    expect(one.jobId).not.toBe(two.jobId);
  });
});
