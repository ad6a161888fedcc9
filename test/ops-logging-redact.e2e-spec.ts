/**
 * `?token=` is masked in request logs however its name is spelled: the WebSocket handshake
 * decodes parameter names (URLSearchParams), so `?%74oken=` is a token too.
 */
import { Writable } from 'node:stream';
import request from 'supertest';
import { HeraldSocket } from '../src/client';
import { eventually } from './support/test-app';
import { tokenFor } from './support/tokens';
import { useTestApp } from './support/use-test-app';

const lines: string[] = [];
const sink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    done();
  },
});
const herald = useTestApp({ env: { LOG_LEVEL: 'info' }, appOptions: { logDestination: sink } });

it('masks percent-encoded token names, which the handshake accepts as the token', async () => {
  const token = tokenFor('leaky');
  // the handshake reads `%74oken` as `token`: this is a working credential in a URL
  expect(await HeraldSocket.upgradeStatus(`${herald.app.wsUrl}?%74oken=${token}`)).toBe(101);
  const signature = token.split('.')[2];
  const urls = [
    `/v1/notifications?%74oken=${token}`,
    `/v1/notifications?limit=5&%74%6F%6B%65%6E=${token}`,
    `/v1/notifications?access%5Ftoken=${token}`,
  ];
  for (const url of urls) await request(herald.url).get(url);
  const logged = await eventually(() => {
    const found = lines
      .map((line) => JSON.parse(line) as { req?: { url: string } })
      .flatMap((line) => (line.req?.url.startsWith('/v1/notifications?') ? [line.req.url] : []));
    return found.length >= urls.length ? found : null;
  });
  expect(logged).toEqual([
    '/v1/notifications?%74oken=[REDACTED]',
    '/v1/notifications?limit=5&%74%6F%6B%65%6E=[REDACTED]',
    '/v1/notifications?access%5Ftoken=[REDACTED]',
  ]);
  for (const line of lines) expect(line).not.toContain(signature);
});

it('logs a refused upgrade as a warn line with its status, never its token', async () => {
  const forged = `${tokenFor('mallory').slice(0, -4)}AAAA`; // a bad signature
  const url = `${herald.app.wsUrl}?token=${forged}`;
  expect(await HeraldSocket.upgradeStatus(url)).toBe(401);
  const line = await eventually(() =>
    lines
      .map((text) => JSON.parse(text) as Record<string, unknown>)
      .find((entry) => String(entry['msg']).startsWith('upgrade refused')),
  );
  expect(line).toMatchObject({
    level: 40,
    context: 'WsHandshake',
    req: { id: expect.any(String) as unknown, method: 'GET', url: '/ws?token=[REDACTED]' },
    res: { statusCode: 401 },
    msg: expect.stringMatching(/^upgrade refused: invalid token/) as unknown,
  });
  for (const text of lines) expect(text).not.toContain(forged.split('.')[2]);
});
