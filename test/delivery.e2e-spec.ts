/** Publish → store → push to every socket of the user, on every instance; resume; idempotency. */
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import request from 'supertest';
import { NOTIFICATIONS_QUEUE } from '../src/notifications/notifications.jobs';
import { throughMarker } from './support/marker';
import {
  destroyIsolation,
  eventually,
  newIsolation,
  sql,
  startTestApp,
  type TestApp,
} from './support/test-app';
import { serviceToken, tokenFor } from './support/tokens';
import { TestSocket } from './support/ws-client';

const isolation = newIsolation('delivery');
let a: TestApp;
let b: TestApp;
const sockets: TestSocket[] = [];

async function connect(app: TestApp, user: string): Promise<TestSocket> {
  const socket = await TestSocket.connect(app.wsUrl, tokenFor(user));
  sockets.push(socket);
  return socket;
}

function publish(app: TestApp, body: Record<string, unknown>, token = serviceToken()) {
  return request(app.url)
    .post('/v1/notifications')
    .set('Authorization', `Bearer ${token}`)
    .send(body);
}

/** 1..n */
const range1 = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

/** Resolves once every publish job queued so far has run (a 202 means its job is in Redis). */
async function publishJobsDone(app: TestApp): Promise<void> {
  const queue = app.app.get<Queue>(getQueueToken(NOTIFICATIONS_QUEUE));
  await eventually(
    async () => {
      const counts = await queue.getJobCounts();
      return counts.waiting + counts.active + counts.delayed === 0;
    },
    5000,
    'the queued publish jobs to finish',
  );
}

beforeAll(async () => {
  a = await startTestApp(isolation);
  b = await startTestApp(isolation); // a second instance of the same deployment
});

afterEach(() => {
  for (const socket of sockets.splice(0)) socket.close();
});

afterAll(async () => {
  await a?.close();
  await b?.close();
  await destroyIsolation(isolation);
});

describe('publish and deliver', () => {
  it('pushes to both sockets of alice, not to bob, and stores it in her inbox with its seq', async () => {
    const [alice1, alice2, bob] = await Promise.all([
      connect(a, 'alice'),
      connect(a, 'alice'),
      connect(a, 'bob'),
    ]);
    const response = await publish(a, {
      userIds: ['alice'],
      type: 'invoice.paid',
      title: 'Invoice paid',
      data: { invoiceId: 7 },
    });
    expect(response.status).toBe(202);
    expect(response.body).toEqual({ jobId: expect.any(String), status: 'queued' });

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
    const toBob = await throughMarker(bob, a.url, 'bob');
    expect(toBob.before).toEqual([]);
    expect(toBob.marker.seq).toBe(1);

    const inbox = await request(a.url)
      .get('/v1/notifications')
      .set('Authorization', `Bearer ${tokenFor('alice')}`);
    expect(inbox.status).toBe(200);
    expect(inbox.body.items).toHaveLength(1);
    expect(inbox.body.items[0]).toEqual(first);
    expect(inbox.body.items[0].seq).toBe(1);
  });

  it('delivers to a socket on instance B what was published through instance A', async () => {
    const carol = await connect(b, 'carol');
    expect(
      (await publish(a, { userIds: ['carol'], type: 't', title: 'cross-instance' })).status,
    ).toBe(202);
    expect(await carol.next('notification')).toMatchObject({
      userId: 'carol',
      title: 'cross-instance',
      seq: 1,
    });
  });

  it('follows each new notification with the new unread count', async () => {
    const ella = await connect(a, 'ella');
    await publish(a, { userIds: ['ella'], type: 't', title: 'one' });
    await publish(a, { userIds: ['ella'], type: 't', title: 'two' });
    await eventually(() => ella.all('unread').length === 2, 3000, 'two unread frames');
    expect(ella.all('unread')).toEqual([{ count: 1 }, { count: 2 }]);
    const order = ella.frames.slice(1).map((f) => f.event);
    expect(order).toEqual(['notification', 'unread', 'notification', 'unread']);
    const count = await request(a.url)
      .get('/v1/notifications/unread-count')
      .set('Authorization', `Bearer ${tokenFor('ella')}`);
    expect(count.body).toEqual({ count: 2 });
  });

  it('sends ready first with the unread count and the last seq', async () => {
    await publish(a, { userIds: ['dave'], type: 't', title: 'one' });
    await publish(a, { userIds: ['dave'], type: 't', title: 'two' });
    const db = await sql(isolation);
    try {
      await eventually(
        async () =>
          (await db.query(`SELECT 1 FROM notifications WHERE user_id='dave'`)).rowCount === 2,
      );
    } finally {
      await db.end();
    }
    const dave = await connect(a, 'dave');
    expect(dave.frames[0]).toEqual({
      event: 'ready',
      data: { userId: 'dave', unreadCount: 2, lastSeq: 2 },
    });
  });
});

describe('resume', () => {
  it('replays every missed notification in order, nothing twice, then continues live', async () => {
    const erin = await connect(a, 'erin');
    await publish(a, { userIds: ['erin'], type: 't', title: 'seen' });
    const seen = await erin.next('notification');
    erin.close();

    for (let i = 1; i <= 12; i++) {
      expect(
        (await publish(a, { userIds: ['erin'], type: 't', title: `missed ${i}` })).status,
      ).toBe(202);
    }
    const db = await sql(isolation);
    try {
      await eventually(
        async () =>
          (await db.query(`SELECT 1 FROM notifications WHERE user_id='erin'`)).rowCount === 13,
      );
    } finally {
      await db.end();
    }

    const back = await connect(b, 'erin');
    back.send('resume', { afterSeq: seen.seq });
    const resumed = await back.next('resumed');
    expect(resumed).toEqual({ count: 12, complete: true });
    const replayed = back.all('notification');
    expect(replayed.map((n) => n.seq)).toEqual(
      Array.from({ length: 12 }, (_, i) => seen.seq + 1 + i),
    );
    expect(new Set(replayed.map((n) => n.title)).size).toBe(12);

    await publish(a, { userIds: ['erin'], type: 't', title: 'live after resume' });
    await eventually(() => back.all('notification').length === 13, 3000, 'the live notification');
    expect(back.all('notification').at(-1)).toMatchObject({
      seq: seen.seq + 13,
      title: 'live after resume',
    });
    const after = await throughMarker(back, a.url, 'erin');
    expect(after.before.map((n) => n.seq)).toEqual(range1(13).map((i) => seen.seq + i));
    expect(after.marker.seq).toBe(seen.seq + 14);
  });

  it('does not duplicate a live notification that an overlapping replay already sent', async () => {
    const frank = await connect(a, 'frank');
    frank.send('resume', { afterSeq: 0 });
    await frank.next('resumed');
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        publish(a, { userIds: ['frank'], type: 't', title: `burst ${i}` }),
      ),
    );
    frank.send('resume', { afterSeq: 0 }); // replays what is stored by now while the rest is live
    const { count: replayed } = await frank.next('resumed');
    const { before, marker } = await throughMarker(frank, a.url, 'frank');
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
    const db = await sql(isolation);
    try {
      await db.query(
        `INSERT INTO notifications (user_id, seq, type, title, job_id)
         SELECT 'kim', g, 't', 'n' || g, 'seed' FROM generate_series(1, 1005) AS g`,
      );
      await db.query(
        `INSERT INTO notification_counters (user_id, last_seq, unread_count) VALUES ('kim', 1005, 1005)`,
      );
    } finally {
      await db.end();
    }
    const kim = await connect(a, 'kim');
    kim.send('resume', { afterSeq: 0 });
    expect(await kim.next('resumed', 10000)).toEqual({ count: 1000, complete: false });
    const replayed = kim.all('notification').map((n) => n.seq);
    expect(replayed).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    await publish(a, { userIds: ['kim'], type: 't', title: 'after the cap' });
    await eventually(() => kim.all('notification').length === 1001, 5000, 'the live one');
    expect(kim.all('notification').at(-1)).toMatchObject({ seq: 1006, title: 'after the cap' });
  });
});

describe('a replay and the live notifications held meanwhile', () => {
  // A new socket's live notifications wait for its first frame (or WS_RESUME_GRACE_MS): a long
  // grace here, so a whole burst is held while it is stored, and the replay then sends all of it.
  let holding: TestApp;

  beforeAll(async () => {
    holding = await startTestApp(isolation, { WS_RESUME_GRACE_MS: '30000' });
  });

  afterAll(async () => {
    await holding?.close();
  });

  it('drops every held live notification that the replay already sent', async () => {
    const waiting = await connect(holding, 'gus'); // sends nothing yet: live frames are held
    const watcher = await connect(holding, 'gus');
    watcher.send('ping'); // its first frame: live delivery to it starts now
    await watcher.next('pong');
    await Promise.all(
      range1(20).map((i) => publish(a, { userIds: ['gus'], type: 't', title: `held ${i}` })),
    );
    // Each bus message is handed to both sockets of gus on this instance at once: when the
    // watcher has all 20, the waiting socket holds all 20 as well.
    await eventually(() => watcher.all('notification').length === 20, 5000, 'the burst, live');
    expect(waiting.all('notification')).toEqual([]);

    waiting.send('resume', { afterSeq: 0 });
    expect(await waiting.next('resumed')).toEqual({ count: 20, complete: true });
    const { before, marker } = await throughMarker(waiting, a.url, 'gus');
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
    const first = await publish(a, body);
    const second = await publish(b, body);
    expect(second.body.jobId).toBe(first.body.jobId);
    const db = await sql(isolation);
    try {
      await eventually(
        async () =>
          (await db.query(`SELECT 1 FROM notifications WHERE user_id='gina'`)).rowCount === 1,
      );
      const third = await publish(a, { ...body, title: 'changed text, same key' });
      expect(third.status).toBe(202);
      expect(third.body.jobId).toBe(first.body.jobId);
      await publishJobsDone(a); // the repeat's job ran: whatever it stores is in now
      const rows = await db.query(`SELECT title FROM notifications WHERE user_id='gina'`);
      expect(rows.rows).toEqual([{ title: 'once' }]);
    } finally {
      await db.end();
    }
  });

  it('scopes the key to the publisher: another service with the same key publishes its own', async () => {
    const body = { userIds: ['hank'], type: 't', title: 'x', idempotencyKey: 'shared-key' };
    const one = await publish(a, body, serviceToken('service-one'));
    const two = await publish(a, body, serviceToken('service-two'));
    expect(one.body.jobId).not.toBe(two.body.jobId);
  });
});
