/**
 * One JWT verification per request: the rate limiter verifies the token (its budget is per
 * `sub`) and the JWT guard takes the principal from it instead of verifying again. Counted on
 * jsonwebtoken's own `verify` (a spy that calls through), which both paths use.
 */
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { useTestApp } from './support/use-test-app';
import { serviceToken, tokenFor } from './support/tokens';

const herald = useTestApp({ env: { RATE_LIMIT_ENABLED: 'true' } });

afterEach(() => jest.restoreAllMocks());

it('verifies a publish request’s token once, with rate limiting on', async () => {
  const verify = jest.spyOn(jwt, 'verify');
  const res = await request(herald.url)
    .post('/v1/notifications')
    .set('Authorization', `Bearer ${serviceToken()}`)
    .send({ userIds: ['ann'], type: 't', title: 'once' });
  expect(res.status).toBe(202);
  expect(verify).toHaveBeenCalledTimes(1);
});

it('still answers 401 for a bad token and 403 for a missing scope', async () => {
  const bad = await request(herald.url)
    .post('/v1/notifications')
    .set(
      'Authorization',
      `Bearer ${tokenFor('ann', { secret: 'another-secret-0123456789abcdef' })}`,
    )
    .send({ userIds: ['ann'], type: 't', title: 'x' });
  expect(bad.status).toBe(401);
  const user = await request(herald.url)
    .post('/v1/notifications')
    .set('Authorization', `Bearer ${tokenFor('ann')}`)
    .send({ userIds: ['ann'], type: 't', title: 'x' });
  expect(user.status).toBe(403);
});
