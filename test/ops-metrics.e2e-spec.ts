/** /metrics: the named series exist, move with real traffic, and carry no user ids. */
import request from 'supertest';
import { HeraldSocket } from '../src/client';
import { eventually } from './support/test-app';
import { useTestApp } from './support/use-test-app';
import { serviceToken, tokenFor } from './support/tokens';

const ORIGIN = 'https://app.example';

async function scrape(): Promise<string> {
  const response = await request(herald.url).get('/metrics');
  expect(response.status).toBe(200);
  expect(response.headers['content-type']).toContain('text/plain');
  return response.text;
}

/** The value of one sample; labels must match exactly those given (in any order). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .sort()
    .join(',');
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const got = (match[2] ?? '').split(',').filter(Boolean).sort().join(',');
    if (got === wanted) return Number(match[3]);
  }
  return NaN;
}

const herald = useTestApp({ env: { ALLOWED_ORIGINS: ORIGIN } });

describe('GET /metrics', () => {
  it('exposes process, event-loop, socket, queue and HTTP series without a token', async () => {
    const text = await scrape();
    for (const name of [
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
      'herald_ws_connections',
      'herald_ws_handshakes_in_progress',
      'herald_ws_handshakes_accepted_total',
      'herald_ws_frames_received_total',
      'herald_ws_frames_sent_total',
      'herald_notifications_published_total',
      'herald_notifications_delivered_total',
    ]) {
      expect([name, Number.isFinite(sample(text, name))]).toEqual([name, true]);
    }
    for (const state of ['waiting', 'active', 'delayed', 'failed']) {
      expect(sample(text, 'herald_queue_jobs', { queue: 'notifications', state })).toBe(0);
    }
    expect(text).toContain('# TYPE herald_notification_delivery_latency_seconds histogram');
    expect(text).toContain('# TYPE herald_publish_store_latency_seconds histogram');
  });

  it('counts sockets, handshakes, frames, publishes and deliveries, and times delivery', async () => {
    const before = await scrape();
    const latencyCount = (text: string) =>
      sample(text, 'herald_notification_delivery_latency_seconds_count');

    expect(await HeraldSocket.upgradeStatus(`${herald.app.wsUrl}?token=bad`)).toBe(401);
    expect(
      await HeraldSocket.upgradeStatus(`${herald.app.wsUrl}?token=${tokenFor('mia')}`, {
        origin: 'https://evil.example',
      }),
    ).toBe(403);
    const socket = await herald.connect('mia', { origin: ORIGIN });
    await socket.ping();
    const published = await request(herald.url)
      .post('/v1/notifications')
      .set('Authorization', `Bearer ${serviceToken()}`)
      .send({ userIds: ['mia', 'nobody-online'], type: 't', title: 'metered' });
    expect(published.status).toBe(202);
    await socket.next('notification');

    const after = await eventually(
      async () => {
        const text = await scrape();
        return latencyCount(text) > latencyCount(before) ? text : undefined;
      },
      3000,
      'the delivery histogram to move',
    );
    const delta = (name: string, labels?: Record<string, string>) =>
      sample(after, name, labels) - sample(before, name, labels);

    expect(sample(after, 'herald_ws_connections')).toBe(1);
    expect(delta('herald_ws_handshakes_accepted_total')).toBe(1);
    expect(delta('herald_ws_handshakes_rejected_total', { reason: 'unauthorized' })).toBe(1);
    expect(delta('herald_ws_handshakes_rejected_total', { reason: 'forbidden_origin' })).toBe(1);
    expect(sample(after, 'herald_ws_handshakes_in_progress')).toBe(0);
    expect(delta('herald_ws_frames_received_total')).toBe(1); // ping
    expect(delta('herald_ws_frames_sent_total')).toBe(4); // ready, pong, notification, unread
    expect(delta('herald_notifications_published_total')).toBe(2); // two recipients stored
    expect(delta('herald_notifications_delivered_total')).toBe(1); // one socket online
    expect(latencyCount(after) - latencyCount(before)).toBe(1);
    expect(delta('herald_publish_store_latency_seconds_count')).toBe(1); // one publish stored
    expect(
      sample(after, 'herald_notification_delivery_latency_seconds_bucket', { le: '+Inf' }),
    ).toBe(latencyCount(after));
    expect(
      sample(after, 'herald_http_requests_total', {
        method: 'POST',
        route: '/v1/notifications',
        status: '202',
      }),
    ).toBe(1);
    // label values come from fixed sets: no user ids, no raw URLs
    expect(after).not.toContain('mia');
    expect(after).not.toContain('nobody-online');
  });

  it('labels an unknown URL as unmatched instead of by its path', async () => {
    await request(herald.url).get('/no/such/route/12345');
    const text = await scrape();
    expect(text).not.toContain('12345');
    expect(
      sample(text, 'herald_http_requests_total', {
        method: 'GET',
        route: 'unmatched',
        status: '404',
      }),
    ).toBeGreaterThanOrEqual(1);
  });
});
