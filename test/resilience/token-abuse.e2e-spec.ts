/**
 * Forged, tampered, mistimed and misdirected tokens, against an app that verifies RS256 with
 * JWT_PUBLIC_KEY and enforces JWT_ISSUER / JWT_AUDIENCE; and one user's valid token aimed at
 * another user's data. (test/auth.e2e-spec.ts covers the HS256 app: bad signature, expired,
 * alg none, wrong algorithm, no exp, no sub, garbage — and 4401 on expiry.)
 */
import jwt from 'jsonwebtoken';
import { createHmac, generateKeyPairSync, type KeyObject } from 'node:crypto';
import request from 'supertest';
import { HeraldSocket } from '../../src/client';
import type { TestApp } from '../support/test-app';
import { tokenFor } from '../support/tokens';
import { useTestApp } from '../support/use-test-app';
import { sleep } from './support/probes';

const ISSUER = 'https://id.example';
const AUDIENCE = 'herald';
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const otherRsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const publicPem = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const now = () => Math.floor(Date.now() / 1000);

const b64 = (value: object | Buffer) =>
  Buffer.isBuffer(value)
    ? value.toString('base64url')
    : Buffer.from(JSON.stringify(value)).toString('base64url');

/** Proper claims for the RS256 app; an override of `undefined` drops the claim. */
function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const all = {
    sub: 'alice',
    iss: ISSUER,
    aud: AUDIENCE,
    iat: now(),
    exp: now() + 600,
    ...overrides,
  };
  return Object.fromEntries(Object.entries(all).filter(([, value]) => value !== undefined));
}

function rs256(payload: Record<string, unknown>, key: KeyObject = rsa.privateKey): string {
  return jwt.sign(payload, key, { algorithm: 'RS256' });
}

/** HS256 by hand, so no library can refuse to use a public key as the HMAC secret. */
function hs256(payload: Record<string, unknown>, secret: string): string {
  const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

/** A valid token with its payload swapped for another, signature kept. */
function tampered(payload: Record<string, unknown>): string {
  const [header, , signature] = rs256(claims()).split('.');
  return `${header}.${b64(payload)}.${signature}`;
}

async function restStatus(target: TestApp, token: string): Promise<number> {
  const response = await request(target.url)
    .get('/v1/notifications')
    .set('Authorization', `Bearer ${token}`);
  if (response.status === 401) {
    expect(response.body).toMatchObject({ statusCode: 401, requestId: expect.any(String) });
  }
  return response.status;
}

async function wsStatuses(target: TestApp, token: string): Promise<[number, number]> {
  return [
    await HeraldSocket.upgradeStatus(`${target.wsUrl}?token=${encodeURIComponent(token)}`),
    await HeraldSocket.upgradeStatus(target.wsUrl, { protocols: ['herald.v1', `bearer.${token}`] }),
  ];
}

// One app at a time: passport keeps one 'jwt' strategy per process, the last app's.
describe('RS256 with issuer and audience', () => {
  const rsa = useTestApp({
    name: 'tokenabusersa',
    env: { JWT_SECRET: '', JWT_PUBLIC_KEY: publicPem, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE },
  });

  it('accepts a proper token (the control for everything below)', async () => {
    const token = rs256(claims());
    expect(await restStatus(rsa.app, token)).toBe(200);
    expect(await wsStatuses(rsa.app, token)).toEqual([101, 101]);
  });

  const forged: [string, () => string][] = [
    ['alg: none', () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`],
    [
      'alg: none with a signature',
      () => `${b64({ alg: 'none' })}.${b64(claims())}.${b64(Buffer.from('x'))}`,
    ],
    ['HS256 signed with the RSA public key PEM (key confusion)', () => hs256(claims(), publicPem)],
    [
      'HS256 signed with the PEM minus its last newline',
      () => hs256(claims(), publicPem.trimEnd()),
    ],
    ['RS256 signed by another key', () => rs256(claims(), otherRsa.privateKey)],
    [
      'ES256 (an algorithm not pinned)',
      () => jwt.sign(claims(), ec.privateKey, { algorithm: 'ES256' }),
    ],
    ['a tampered payload (another sub)', () => tampered(claims({ sub: 'bob' }))],
    [
      'a tampered payload (scopes added)',
      () => tampered(claims({ scope: 'notifications:write admin' })),
    ],
    [
      'a tampered payload (exp extended)',
      () => tampered(claims({ exp: now() + 10 * 365 * 86400 })),
    ],
    [
      'a tampered header (alg switched to HS256)',
      () => {
        const [, payload, signature] = rs256(claims()).split('.');
        return `${b64({ alg: 'HS256', typ: 'JWT' })}.${payload}.${signature}`;
      },
    ],
    ['an expired token', () => rs256(claims({ exp: now() - 5 }))],
    ['a token not valid yet (nbf in a minute)', () => rs256(claims({ nbf: now() + 60 }))],
    ['no exp', () => rs256(claims({ exp: undefined }))],
    ['the wrong issuer', () => rs256(claims({ iss: 'https://evil.example' }))],
    ['no issuer', () => rs256(claims({ iss: undefined }))],
    ['the wrong audience', () => rs256(claims({ aud: 'someone-else' }))],
    ['no audience', () => rs256(claims({ aud: undefined }))],
    ['an empty signature', () => `${rs256(claims()).split('.').slice(0, 2).join('.')}.`],
  ];

  it.each(forged)(
    'refuses %s on REST (401) and on the WebSocket upgrade (401)',
    async (_n, make) => {
      const token = make();
      expect(await restStatus(rsa.app, token)).toBe(401);
      expect(await wsStatuses(rsa.app, token)).toEqual([401, 401]);
    },
  );
});

describe("one user's token against another user's data", () => {
  const herald = useTestApp({ name: 'tokenabuseusers', closeSocketsAfterEach: true });
  let bobIds: string[] = [];

  beforeAll(async () => {
    bobIds = (await herald.seed('bob', 2)).map((n) => n.id);
  });

  const asAlice = () => `Bearer ${tokenFor('alice')}`;
  const bobUnread = () => herald.as('bob').inbox.unreadCount();

  it('REST: alice cannot name bob in a query, read his items, or mark them', async () => {
    for (const query of ['?userId=bob', '?user_id=bob', '?sub=bob']) {
      const res = await request(herald.url)
        .get(`/v1/notifications${query}`)
        .set('Authorization', asAlice());
      expect(res.status).toBe(400);
    }
    expect(
      (await request(herald.url).get('/v1/notifications').set('Authorization', asAlice())).body
        .items,
    ).toEqual([]);
    const one = await request(herald.url)
      .post(`/v1/notifications/${bobIds[0]}/read`)
      .set('Authorization', asAlice());
    expect(one.status).toBe(404);
    const many = await request(herald.url)
      .post('/v1/notifications/read')
      .set('Authorization', asAlice())
      .send({ ids: bobIds });
    expect(many.body).toEqual({ updated: 0 });
    const all = await request(herald.url)
      .post('/v1/notifications/read-all')
      .set('Authorization', asAlice());
    expect(all.body).toEqual({ updated: 0 });
    expect(await bobUnread()).toBe(2);
  });

  it("WebSocket: alice's resume, read and read.all never touch bob's notifications", async () => {
    const bob = await herald.connect('bob');
    const alice = await herald.connect('alice');
    alice.send('resume', { afterSeq: 0 });
    expect(await alice.next('resumed')).toEqual({ count: 0, complete: true });
    expect(alice.all('notification')).toEqual([]);
    // Two of alice's own, so that her read and her read.all each answer once carried out.
    for (const title of ['own one', 'own two']) await herald.publish('alice', { title });
    const own = [await alice.next('notification'), await alice.next('notification')];
    expect(own.map((n) => n.userId)).toEqual(['alice', 'alice']);
    alice.send('read', { ids: [...bobIds, own[0].id] });
    expect((await alice.next('read')).ids).toEqual([own[0].id]);
    alice.send('read.all', {});
    expect(await alice.next('read')).toMatchObject({ ids: [own[1].id], all: true });
    expect(await bobUnread()).toBe(2);
    // The control: bob himself can; his first read frame is that one, none came from alice's.
    bob.send('read', { ids: [bobIds[0]] });
    expect((await bob.next('read')).ids).toEqual([bobIds[0]]);
    expect(bob.all('read')).toHaveLength(1);
    expect(await bobUnread()).toBe(1);
  });

  it('a socket closed with 4401 at expiry cannot come back with the same token', async () => {
    const token = tokenFor('alice', { expiresIn: 2 });
    const socket = await herald.client(token).connect({ via: 'protocol' });
    const closed = await Promise.race([socket.closed, sleep(5000).then(() => 'still open')]);
    expect(closed).toEqual({ code: 4401, reason: 'token expired' });
    expect(await wsStatuses(herald.app, token)).toEqual([401, 401]);
  });
});
