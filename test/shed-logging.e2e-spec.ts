/**
 * Logging while shedding: a publish answered 503 + Retry-After is load turned away on purpose,
 * so it writes no error line per request (an overload would otherwise write one for every
 * request it refuses); one warn line sums up what was shed, at most every 10 s.
 */
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { Writable } from 'node:stream';
import { HeraldError } from '../src/client';
import { NOTIFICATIONS_QUEUE } from '../src/notifications/notifications.jobs';
import { eventually } from './support/test-app';
import { useTestApp } from './support/use-test-app';

interface Line {
  level: number;
  msg?: string;
  res?: { statusCode: number };
}

const lines: Line[] = [];
const sink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const text of chunk.toString().split('\n').filter(Boolean)) {
      lines.push(JSON.parse(text) as Line);
    }
    done();
  },
});
const herald = useTestApp({
  env: { PUBLISH_BACKLOG_MAX: '1', LOG_LEVEL: 'info' },
  appOptions: { logDestination: sink },
});

describe('logs while shedding publishes', () => {
  it('writes one summary warn line instead of an error line per shed request', async () => {
    // This app's worker takes no jobs: the one accepted publish keeps the backlog at its bound.
    await herald.get<Queue>(getQueueToken(NOTIFICATIONS_QUEUE)).pause(true, true);
    await herald.publish('ann', { type: 'shed.log' });
    for (let i = 0; i < 5; i++) {
      const refused = await herald.publish('ann', { type: 'shed.log' }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(HeraldError);
      expect(refused).toMatchObject({ status: 503 });
      expect((refused as HeraldError).retryAfterMs).toBeGreaterThan(0);
    }
    // A request answered after the shed ones: its line is written after theirs would have been.
    expect((await fetch(`${herald.url}/widget.js`)).status).toBe(200);
    await eventually(
      () => lines.some((l) => l.res?.statusCode === 200),
      5000,
      'the marker request logged',
    );
    const perRequest = lines.filter((l) => l.msg === 'request completed');
    expect(perRequest.filter((l) => l.res?.statusCode === 202)).toHaveLength(1);
    expect(perRequest.filter((l) => l.res?.statusCode === 503)).toHaveLength(0);
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
    const summaries = lines.filter((l) => l.msg?.startsWith('shedding publishes'));
    // The first shed logs at once; the next four fall within the same 10 s.
    expect(summaries).toHaveLength(1);
    expect(summaries[0]).toMatchObject({ level: 40 });
    expect(summaries[0].msg).toContain('1 backlog');
  });
});
