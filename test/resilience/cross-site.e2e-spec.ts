/**
 * Cross-site: the WebSocket upgrade and REST CORS honour ALLOWED_ORIGINS exactly — in a
 * configured deployment, in production with nothing configured, and in development — and
 * CORS never grants credentials. (test/auth.e2e-spec.ts has the basic 403/101 upgrade pair.)
 */
import request from 'supertest';
import { HeraldSocket } from '../../src/client';
import type { TestApp } from '../support/test-app';
import { tokenFor } from '../support/tokens';
import { useTestApp } from '../support/use-test-app';

const ALLOWED = ['https://app.example', 'https://admin.example'];
const NOT_ALLOWED = [
  'https://evil.example',
  'https://app.example.evil.example', // a suffix trick
  'https://evilapp.example',
  'http://app.example', // another scheme
  'https://app.example:8443', // another port
  'null', // sandboxed frames, file: pages
];

/** The CORS headers of a preflight and of a simple request from `origin`. */
async function cors(app: TestApp, origin: string) {
  const preflight = await request(app.url)
    .options('/v1/notifications')
    .set('Origin', origin)
    .set('Access-Control-Request-Method', 'POST')
    .set('Access-Control-Request-Headers', 'authorization,content-type');
  const simple = await request(app.url)
    .get('/v1/notifications')
    .set('Origin', origin)
    .set('Authorization', `Bearer ${tokenFor('alice')}`);
  return { preflight, simple };
}

function expectNoCredentials(...responses: request.Response[]) {
  for (const response of responses) {
    expect(response.headers['access-control-allow-credentials']).toBeUndefined();
    expect(response.headers['access-control-allow-origin']).not.toBe('*');
  }
}

describe('with ALLOWED_ORIGINS set', () => {
  const herald = useTestApp({ name: 'crosssite', env: { ALLOWED_ORIGINS: ALLOWED.join(',') } });

  it.each(ALLOWED)('lets %s open /ws and call REST', async (origin) => {
    const url = `${herald.app.wsUrl}?token=${tokenFor('alice')}`;
    expect(await HeraldSocket.upgradeStatus(url, { origin })).toBe(101);
    const { preflight, simple } = await cors(herald.app, origin);
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(origin);
    expect(preflight.headers['access-control-allow-methods']).toContain('POST');
    expect(preflight.headers['access-control-allow-headers']).toMatch(/authorization/i);
    expect(preflight.headers['vary']).toMatch(/origin/i);
    expect(simple.status).toBe(200);
    expect(simple.headers['access-control-allow-origin']).toBe(origin);
    expectNoCredentials(preflight, simple);
  });

  it.each(NOT_ALLOWED)('refuses %s: 403 on the upgrade, no CORS grant on REST', async (origin) => {
    // A valid token changes nothing, whichever way it travels, and no frame is sent first.
    const token = tokenFor('alice');
    expect(await HeraldSocket.upgradeStatus(`${herald.app.wsUrl}?token=${token}`, { origin })).toBe(
      403,
    );
    expect(
      await HeraldSocket.upgradeStatus(herald.app.wsUrl, {
        origin,
        protocols: ['herald.v1', `bearer.${token}`],
      }),
    ).toBe(403);
    const { preflight, simple } = await cors(herald.app, origin);
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    expect(simple.headers['access-control-allow-origin']).toBeUndefined();
    expectNoCredentials(preflight, simple);
  });

  it('checks the origin before the token (a forged cross-site upgrade learns nothing)', async () => {
    expect(
      await HeraldSocket.upgradeStatus(herald.app.wsUrl, { origin: 'https://evil.example' }),
    ).toBe(403);
  });

  it('lets clients that send no Origin (other services) in', async () => {
    expect(await HeraldSocket.upgradeStatus(`${herald.app.wsUrl}?token=${tokenFor('alice')}`)).toBe(
      101,
    );
  });
});

describe('in production with ALLOWED_ORIGINS unset', () => {
  const herald = useTestApp({ name: 'crosssiteprod', env: { NODE_ENV: 'production' } });

  it('allows no browser origin at all, and still serves clients without one', async () => {
    const url = `${herald.app.wsUrl}?token=${tokenFor('alice')}`;
    for (const origin of ['https://app.example', 'http://localhost:3000']) {
      expect(await HeraldSocket.upgradeStatus(url, { origin })).toBe(403);
      const { preflight, simple } = await cors(herald.app, origin);
      expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
      expect(simple.headers['access-control-allow-origin']).toBeUndefined();
      expectNoCredentials(preflight, simple);
    }
    expect(await HeraldSocket.upgradeStatus(url)).toBe(101);
  });
});

describe('in development with ALLOWED_ORIGINS unset', () => {
  const herald = useTestApp({ name: 'crosssitedev', env: { NODE_ENV: 'development' } });

  it('allows any origin by naming it, never with `*` and never with credentials', async () => {
    const origin = 'http://localhost:5173';
    expect(
      await HeraldSocket.upgradeStatus(`${herald.app.wsUrl}?token=${tokenFor('a')}`, { origin }),
    ).toBe(101);
    const { preflight, simple } = await cors(herald.app, origin);
    expect(preflight.headers['access-control-allow-origin']).toBe(origin);
    expect(simple.headers['access-control-allow-origin']).toBe(origin);
    expectNoCredentials(preflight, simple);
  });
});
