/** METRICS_TOKEN: with it set, GET /metrics answers only `Authorization: Bearer <it>`. */
import request from 'supertest';
import { useTestApp } from './support/use-test-app';
import { serviceToken } from './support/tokens';

const METRICS_TOKEN = 'prometheus-scrape-token-0123456789';

const herald = useTestApp({ env: { METRICS_TOKEN } });

const scrape = (authorization?: string) => {
  const call = request(herald.url).get('/metrics');
  return authorization === undefined ? call : call.set('Authorization', authorization);
};

it('answers 401 without the token, with another token, or with a JWT', async () => {
  for (const authorization of [
    undefined,
    '',
    `Bearer ${METRICS_TOKEN}x`,
    `Bearer ${METRICS_TOKEN.slice(0, -1)}`,
    `Basic ${Buffer.from(`user:${METRICS_TOKEN}`).toString('base64')}`,
    METRICS_TOKEN,
    `Bearer ${serviceToken()}`,
  ]) {
    const response = await scrape(authorization);
    expect([authorization, response.status]).toEqual([authorization, 401]);
    expect(response.text).not.toContain('herald_');
    expect(response.body).toMatchObject({ statusCode: 401, requestId: expect.any(String) });
  }
});

it('serves the metrics with the token', async () => {
  for (const authorization of [`Bearer ${METRICS_TOKEN}`, `bearer ${METRICS_TOKEN}`]) {
    const response = await scrape(authorization);
    expect(response.status).toBe(200);
    expect(response.text).toContain('herald_ws_connections');
  }
});
