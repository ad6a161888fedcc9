/**
 * Preferences: read and merged by the user or by a service, validated, pushed as `preferences`
 * to every socket of the user, applied when a publication is stored (muted in-app: no row, no
 * push, no count, but a metric), `critical` ignoring them, the most specific pattern winning,
 * and `mutedForPush` for the Web Push path.
 */
import { PreferencesService } from '../src/notifications/preferences/preferences.service';
import { eventually } from './support/test-app';
import { useTestApp } from './support/use-test-app';

const herald = useTestApp({ instances: 2 });

/** The user's own preferences endpoint, raw: these tests look at statuses and error bodies. */
const mine = (userId: string) => ({
  get: () => herald.as(userId).preferences.get(),
  patch: (body: unknown) =>
    herald.as(userId).request<{ message: unknown }>('PATCH', '/v1/me/preferences', { body }),
});

async function mutedMetric(channel: string): Promise<number> {
  const text = (await herald.client().request<string>('GET', '/metrics')).text;
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`herald_notifications_muted_total{channel="${channel}"}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe('the preferences document', () => {
  it('defaults to everything on, merges patches, removes a pattern set to null', async () => {
    const alice = herald.as(herald.user('alice')).preferences;
    expect(await alice.get()).toEqual({ channels: { inApp: true, push: true }, types: {} });
    expect(
      await alice.patch({
        types: { 'marketing.*': { inApp: false }, 'task.due': { push: false } },
      }),
    ).toEqual({
      channels: { inApp: true, push: true },
      types: { 'marketing.*': { inApp: false }, 'task.due': { push: false } },
    });
    const merged = {
      channels: { inApp: true, push: false },
      types: { 'task.due': { inApp: true, push: false } },
    };
    expect(
      await alice.patch({
        channels: { push: false },
        types: { 'task.due': { inApp: true }, 'marketing.*': null },
      }),
    ).toEqual(merged);
    expect(await alice.get()).toEqual(merged);
  });

  it('lets a service read and change a user’s, with notifications:write only', async () => {
    const bob = herald.user('bob');
    const path = `/v1/users/${bob}/preferences`;
    expect((await herald.as('mallory').request('GET', path)).status).toBe(403);
    const body = { channels: { inApp: false } };
    expect((await herald.as(bob).request('PATCH', path, { body })).status).toBe(403);
    await herald.service.preferencesOf(bob).patch({ types: { 'news.*': { inApp: false } } });
    const own = await mine(bob).get();
    expect(own.types).toEqual({ 'news.*': { inApp: false } });
    expect(await herald.service.preferencesOf(bob).get()).toEqual(own);
    const tooLong = await herald.service.request('GET', `/v1/users/${'x'.repeat(129)}/preferences`);
    expect([400, 414]).toContain(tooLong.status);
  });

  it('answers 400 naming what is wrong', async () => {
    const carol = herald.user('carol');
    const bad: [unknown, string][] = [
      [{ types: { '*': { inApp: false } } }, 'types.*'],
      [{ types: { 'a.*.b': { inApp: false } } }, 'types.a.*.b'],
      [{ types: { 'a.b': { email: false } } }, 'types.a.b.email'],
      [{ types: { 'a.b': { inApp: 'no' } } }, 'types.a.b.inApp'],
      [{ types: { 'a.b': {} } }, 'types.a.b'],
      [{ types: ['a'] }, 'types'],
      [{ channels: { inApp: 'yes' } }, 'inApp'],
      [{ channels: { sms: true } }, 'sms'],
      [{ colour: 'red' }, 'colour'],
      [
        {
          types: Object.fromEntries(
            Array.from({ length: 201 }, (_, i) => [`t${i}`, { inApp: false }]),
          ),
        },
        '200',
      ],
    ];
    for (const [body, field] of bad) {
      const response = await mine(carol).patch(body);
      expect(response.status).toBe(400);
      expect(JSON.stringify(response.body.message)).toContain(field);
    }
    // At most 200 patterns per user in all, across patches, and nothing changed by a refused one.
    const half = (from: number) =>
      Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`t${from + i}`, { inApp: false }]));
    expect((await mine(carol).patch({ types: half(0) })).status).toBe(200);
    expect((await mine(carol).patch({ types: half(150) })).status).toBe(400);
    expect(Object.keys((await mine(carol).get()).types)).toHaveLength(150);
  });

  it('pushes the whole document as `preferences` to every socket of the user', async () => {
    const dave = herald.user('dave');
    const phone = await herald.connect(dave);
    const laptop = await herald.connect(dave, { on: 1 });
    const changed = await herald
      .as(dave)
      .preferences.patch({ types: { 'promo.*': { inApp: false } } });
    expect(await phone.next('preferences')).toEqual(changed);
    expect(await laptop.next('preferences')).toEqual(changed);
  });
});

describe('applied when stored', () => {
  it('stores, pushes and counts nothing for a muted type, counts it in the metric', async () => {
    const erin = herald.user('erin');
    const frank = herald.user('frank');
    await herald.as(erin).preferences.patch({ types: { 'promo.*': { inApp: false } } });
    const socket = await herald.connect(erin);
    const before = await mutedMetric('inApp');
    await herald.publish([erin, frank], { type: 'promo.spring', title: 'Sale' });
    await eventually(async () => (await mutedMetric('inApp')) >= before + 1, 8000, 'muted metric');
    await herald.stored(frank, 1);
    await herald.publish(erin, { type: 'promo', title: 'not under promo.*' });
    const marker = await socket.next('notification', { timeoutMs: 5000 });
    expect(marker.title).toBe('not under promo.*');
    expect(socket.all('notification')).toHaveLength(1);
    const api = herald.as(erin).inbox;
    expect((await api.list({ view: 'all' })).items.map((r) => r.title)).toEqual([
      'not under promo.*',
    ]);
    expect(await api.unreadCount()).toBe(1);
    expect(marker.seq).toBe(1); // no seq was spent on the muted one
  });

  it('lets critical through, and the most specific pattern win', async () => {
    const gina = herald.user('gina');
    await herald.as(gina).preferences.patch({
      channels: { inApp: false },
      types: {
        'billing.*': { inApp: true },
        'billing.ads.*': { inApp: false },
        'billing.ads.vip': { inApp: true },
      },
    });
    const socket = await herald.connect(gina);
    for (const type of ['other', 'billing.paid', 'billing.ads.spam', 'billing.ads.vip']) {
      await herald.publish(gina, { type, title: type });
    }
    await herald.publish(gina, { type: 'other', title: 'critical', critical: true });
    await eventually(() => socket.all('notification').length === 3, 8000, 'three delivered');
    const delivered = socket.all('notification');
    expect(delivered.map((d) => d.title).sort()).toEqual([
      'billing.ads.vip',
      'billing.paid',
      'critical',
    ]);
    expect(delivered.find((d) => d.title === 'critical')?.critical).toBe(true);
    expect((await herald.as(gina).inbox.list({ view: 'all' })).items).toHaveLength(3);
  });

  it('applies to a 10,000-recipient publish with preferences for every recipient', async () => {
    const db = await herald.db();
    const users = Array.from({ length: 10_000 }, (_, i) => `bulk-${i}`);
    await db.query(`INSERT INTO notification_preferences (user_id) SELECT unnest($1::varchar[])`, [
      users,
    ]);
    await db.query(
      `INSERT INTO notification_preference_rules (user_id, pattern, in_app)
       SELECT u, 'bulk.*', (right(u, 1) <> '7') FROM unnest($1::varchar[]) AS u`,
      [users],
    );
    await db.query('ANALYZE notification_preferences; ANALYZE notification_preference_rules');
    await herald.publish(users, { type: 'bulk.news', title: 'To all' });
    await eventually(
      async () =>
        (await db.query(`SELECT count(*)::int AS n FROM notifications WHERE type = 'bulk.news'`))
          .rows[0].n === 9000,
      20_000,
      '9,000 stored (every tenth muted)',
    );
  });
});

describe('mutedForPush (for the Web Push path)', () => {
  it('answers the users whose preferences mute push for a type', async () => {
    const [henry, iris, jack] = ['henry', 'iris', 'jack'].map((name) => herald.user(name));
    await herald.as(henry).preferences.patch({ types: { 'task.due': { push: false } } });
    await herald
      .as(iris)
      .preferences.patch({ channels: { push: false }, types: { 'task.*': { push: true } } });
    await herald.as(jack).preferences.patch({ channels: { push: false } });
    const preferences = herald.get(PreferencesService);
    const muted = await preferences.mutedForPush([henry, iris, jack, 'nobody'], 'task.due');
    expect([...muted].sort()).toEqual([henry, jack].sort());
    expect(await preferences.mutedForPush([henry], 'task.assigned')).toEqual(new Set());
  });
});
