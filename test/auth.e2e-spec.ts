/** Who may do what: token checks on REST and on the WebSocket upgrade, scopes, ownership. */
import jwt from 'jsonwebtoken';
import { generateKeyPairSync } from 'node:crypto';
import request from 'supertest';
import {
  destroyIsolation,
  eventually,
  newIsolation,
  startTestApp,
  type TestApp,
} from './support/test-app';
import { serviceToken, tokenFor, unsignedToken } from './support/tokens';
import { TestSocket } from './support/ws-client';

const isolation = newIsolation('auth');
let app: TestApp;

const { privateKey: rsaKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const now = () => Math.floor(Date.now() / 1000);

const badTokens: [string, () => string | undefined][] = [
  ['no token', () => undefined],
  [
    'a bad signature',
    () => tokenFor('alice', { secret: 'another-secret-that-is-long-enough-000000' }),
  ],
  ['an expired token', () => tokenFor('alice', { claims: { exp: now() - 10 } })],
  ['alg: none', () => unsignedToken('alice')],
  [
    'the wrong algorithm (RS256)',
    () => jwt.sign({ sub: 'alice' }, rsaKey, { algorithm: 'RS256', expiresIn: 600 }),
  ],
  ['the wrong algorithm (HS512)', () => tokenFor('alice', { algorithm: 'HS512' })],
  ['no exp', () => jwt.sign({ sub: 'alice' }, 'herald-e2e-secret-0123456789abcdef0123456789')],
  [
    'no sub',
    () =>
      jwt.sign({ scope: 'admin' }, 'herald-e2e-secret-0123456789abcdef0123456789', {
        expiresIn: 600,
      }),
  ],
  ['garbage', () => 'not.a.jwt'],
];

beforeAll(async () => {
  app = await startTestApp(isolation, { ALLOWED_ORIGINS: 'https://app.example' });
});

afterAll(async () => {
  await app?.close();
  await destroyIsolation(isolation);
});

describe.each(badTokens)('with %s', (_name, makeToken) => {
  it('REST answers 401 in the error shape', async () => {
    const token = makeToken();
    const call = request(app.url).get('/v1/notifications');
    const response = await (token ? call.set('Authorization', `Bearer ${token}`) : call);
    expect(response.status).toBe(401);
    expect(response.body).toEqual({
      statusCode: 401,
      error: 'Unauthorized',
      message: expect.anything(),
      requestId: expect.any(String),
    });
  });

  it('the WebSocket upgrade answers HTTP 401 before any frame (query and subprotocol)', async () => {
    const token = makeToken();
    const query = token ? `?token=${encodeURIComponent(token)}` : '';
    expect(await TestSocket.upgradeStatus(`${app.wsUrl}${query}`)).toBe(401);
    if (token) {
      expect(
        await TestSocket.upgradeStatus(app.wsUrl, { protocols: ['herald.v1', `bearer.${token}`] }),
      ).toBe(401);
    }
  });
});

describe('WebSocket handshake', () => {
  it('accepts the bearer subprotocol and answers herald.v1', async () => {
    const socket = await TestSocket.connect(app.wsUrl, tokenFor('alice'), { via: 'protocol' });
    expect(socket.ws.protocol).toBe('herald.v1');
    expect(socket.frames[0].event).toBe('ready');
    socket.close();
  });

  it('refuses an origin that is not allowed with HTTP 403, accepts an allowed one', async () => {
    const url = `${app.wsUrl}?token=${tokenFor('alice')}`;
    expect(await TestSocket.upgradeStatus(url, { origin: 'https://evil.example' })).toBe(403);
    expect(await TestSocket.upgradeStatus(url, { origin: 'https://app.example' })).toBe(101);
  });

  it('closes a socket with 4401 when its token expires', async () => {
    const socket = await TestSocket.connect(app.wsUrl, tokenFor('alice', { expiresIn: 2 }));
    const closed = await Promise.race([
      socket.closed,
      new Promise((r) => setTimeout(() => r('still open'), 4000)),
    ]);
    expect(closed).toEqual({ code: 4401, reason: 'token expired' });
  });
});

describe('scopes and ownership', () => {
  it('refuses a user token publishing with 403', async () => {
    const response = await request(app.url)
      .post('/v1/notifications')
      .set('Authorization', `Bearer ${tokenFor('alice')}`)
      .send({ userIds: ['bob'], type: 't', title: 'spoof' });
    expect(response.status).toBe(403);
    expect(response.body.message).toContain('notifications:write');
  });

  it('answers 404 when a user reads or marks a notification that is not theirs', async () => {
    await request(app.url)
      .post('/v1/notifications')
      .set('Authorization', `Bearer ${serviceToken()}`)
      .send({ userIds: ['bob'], type: 't', title: 'for bob only' })
      .expect(202);
    const bobs = await eventually(async () => {
      const res = await request(app.url)
        .get('/v1/notifications')
        .set('Authorization', `Bearer ${tokenFor('bob')}`);
      return res.body.items?.[0] as { id: string } | undefined;
    });
    const alice = `Bearer ${tokenFor('alice')}`;
    expect(
      (await request(app.url).post(`/v1/notifications/${bobs.id}/read`).set('Authorization', alice))
        .status,
    ).toBe(404);
    expect(
      (
        await request(app.url)
          .post('/v1/notifications/read')
          .set('Authorization', alice)
          .send({ ids: [bobs.id] })
      ).body,
    ).toEqual({ updated: 0 });
    const aliceInbox = await request(app.url).get('/v1/notifications').set('Authorization', alice);
    expect(aliceInbox.body.items).toEqual([]);
    const bobInbox = await request(app.url)
      .get('/v1/notifications')
      .set('Authorization', `Bearer ${tokenFor('bob')}`);
    expect(bobInbox.body.items[0].readAt).toBeNull();
  });

  it("a user cannot resume or mark another user's notifications over the socket", async () => {
    const mallory = await TestSocket.connect(app.wsUrl, tokenFor('mallory'));
    mallory.send('resume', { afterSeq: 0 });
    expect(await mallory.next('resumed')).toEqual({ count: 0, complete: true });
    expect(mallory.all('notification')).toEqual([]);
    mallory.close();
  });
});
