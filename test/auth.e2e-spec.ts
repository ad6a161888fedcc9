/** Who may do what: token checks on REST and on the WebSocket upgrade, scopes, ownership. */
import jwt from 'jsonwebtoken';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { get, type IncomingHttpHeaders } from 'node:http';
import request from 'supertest';
import { HeraldSocket } from '../src/client';
import { tokenFor, unsignedToken } from './support/tokens';
import { useTestApp } from './support/use-test-app';

const herald = useTestApp({ env: { ALLOWED_ORIGINS: 'https://app.example' } });

const { privateKey: rsaKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const now = () => Math.floor(Date.now() / 1000);

interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Herald's answer to a WebSocket upgrade it refuses, as sent (rejects if it accepts). */
function refusedUpgrade(wsUrl: string, headers: Record<string, string> = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const request = get(wsUrl.replace(/^ws:/, 'http:'), {
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
        ...headers,
      },
    });
    request.on('upgrade', (_response, socket) => {
      socket.destroy();
      reject(new Error('the upgrade was accepted'));
    });
    request.on('response', (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
      );
    });
    request.on('error', reject);
  });
}

/** A refusal in the JSON error shape of REST, with its headers right; its parsed body. */
function errorBodyOf(answer: RawAnswer): unknown {
  expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
  expect(Number(answer.headers['content-length'])).toBe(Buffer.byteLength(answer.body));
  expect(answer.headers['connection']).toBe('close');
  return JSON.parse(answer.body);
}

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

describe.each(badTokens)('with %s', (_name, makeToken) => {
  it('REST answers 401 in the error shape', async () => {
    const token = makeToken();
    const call = request(herald.url).get('/v1/notifications');
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
    expect(await HeraldSocket.upgradeStatus(`${herald.app.wsUrl}${query}`)).toBe(401);
    if (token) {
      expect(
        await HeraldSocket.upgradeStatus(herald.app.wsUrl, {
          protocols: ['herald.v1', `bearer.${token}`],
        }),
      ).toBe(401);
    }
  });
});

describe('WebSocket handshake', () => {
  it('accepts the bearer subprotocol and answers herald.v1', async () => {
    const socket = await herald.connect('alice', { via: 'protocol' });
    expect(socket.ws.protocol).toBe('herald.v1');
    expect(socket.frames[0].event).toBe('ready');
  });

  it('refuses an origin that is not allowed with HTTP 403, accepts an allowed one', async () => {
    const url = `${herald.app.wsUrl}?token=${tokenFor('alice')}`;
    expect(await HeraldSocket.upgradeStatus(url, { origin: 'https://evil.example' })).toBe(403);
    expect(await HeraldSocket.upgradeStatus(url, { origin: 'https://app.example' })).toBe(101);
  });

  it('answers a refused upgrade with the JSON error body of REST and its request id', async () => {
    const missing = await refusedUpgrade(herald.app.wsUrl, { 'X-Request-Id': 'upgrade-1' });
    expect(missing.status).toBe(401);
    expect(missing.headers['x-request-id']).toBe('upgrade-1');
    expect(errorBodyOf(missing)).toEqual({
      statusCode: 401,
      error: 'Unauthorized',
      message: 'missing token',
      requestId: 'upgrade-1',
    });

    const url = `${herald.app.wsUrl}?token=${tokenFor('alice')}`;
    const foreign = await refusedUpgrade(url, { Origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect(errorBodyOf(foreign)).toEqual({
      statusCode: 403,
      error: 'Forbidden',
      message: 'origin not allowed',
      requestId: foreign.headers['x-request-id'],
    });
    expect(foreign.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);

    // The typed client reads it like any REST error.
    await expect(HeraldSocket.connect(herald.app.wsUrl, 'not.a.jwt')).rejects.toMatchObject({
      status: 401,
      code: 'unauthorized',
      messages: [expect.stringMatching(/^invalid token: /)],
      requestId: expect.stringMatching(/.+/),
    });
  });

  it('closes a socket with 4401 when its token expires', async () => {
    const socket = await herald.connect('alice', { token: { expiresIn: 2 } });
    const closed = await Promise.race([
      socket.closed,
      new Promise((r) => setTimeout(() => r('still open'), 4000)),
    ]);
    expect(closed).toEqual({ code: 4401, reason: 'token expired' });
  });
});

describe('scopes and ownership', () => {
  it('refuses a user token publishing with 403', async () => {
    const response = await herald
      .as('alice')
      .request<{ message: string }>('POST', '/v1/notifications', {
        body: { userIds: ['bob'], type: 't', title: 'spoof' },
      });
    expect(response.status).toBe(403);
    expect(response.body.message).toContain('notifications:write');
  });

  it('answers 404 when a user reads or marks a notification that is not theirs', async () => {
    await herald.publish('bob', { type: 't', title: 'for bob only' });
    const [bobs] = await herald.stored('bob', 1);
    const alice = herald.as('alice');
    expect((await alice.request('POST', `/v1/notifications/${bobs.id}/read`)).status).toBe(404);
    expect(await alice.inbox.readMany([bobs.id])).toEqual({ updated: 0 });
    expect((await alice.inbox.list()).items).toEqual([]);
    expect((await herald.as('bob').inbox.list()).items[0].readAt).toBeNull();
  });

  it("a user cannot resume or mark another user's notifications over the socket", async () => {
    const mallory = await herald.connect('mallory');
    expect(await mallory.resume(0)).toEqual({ count: 0, complete: true });
    expect(mallory.all('notification')).toEqual([]);
  });
});
