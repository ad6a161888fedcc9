import type { NotificationView } from '../notifications/notification.types';
import { EventLog, type ServerFrame } from './event-log';

const notification = (seq: number): ServerFrame => ({
  event: 'notification',
  data: { seq, id: `n${seq}`, title: `t${seq}` } as NotificationView,
});

describe('EventLog', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('tracks the highest notification seq, from the starting cursor', () => {
    const log = new EventLog(4);
    expect(log.lastSeq).toBe(4);
    log.push(notification(5));
    log.push(notification(7));
    log.push(notification(6)); // out of order: the cursor never goes back
    log.push({
      event: 'unsnoozed',
      data: { notification: notification(1).data as NotificationView },
    });
    log.push({ event: 'ready', data: { userId: 'u', unreadCount: 0, lastSeq: 99 } });
    expect(log.lastSeq).toBe(7);
    expect(new EventLog().lastSeq).toBe(0);
  });

  it('next takes each frame of an event once, in order, also when it arrives later', async () => {
    const log = new EventLog();
    log.push(notification(1));
    log.push({ event: 'unread', data: { count: 1 } });
    expect((await log.next('notification')).seq).toBe(1);
    const second = log.next('notification');
    log.push(notification(2));
    expect((await second).seq).toBe(2);
    expect(await log.next('unread')).toEqual({ count: 1 });
    expect(log.all('notification').map((n) => n.seq)).toEqual([1, 2]);
  });

  it('next rejects after its timeout', async () => {
    const log = new EventLog();
    const waiting = log.next('pong', { timeoutMs: 100 });
    const settled = expect(waiting).rejects.toThrow("no 'pong' frame within 100 ms");
    await jest.advanceTimersByTimeAsync(100);
    await settled;
  });

  it('rejects pending and later waits once the connection ended', async () => {
    const log = new EventLog();
    const pending = log.next('pong');
    log.end('socket closed (1001)');
    await expect(pending).rejects.toThrow("socket closed (1001) while waiting for 'pong'");
    await expect(log.waitFor(() => false)).rejects.toThrow(/socket closed/);
    log.push(notification(1)); // a frame already received is still found
    expect((await log.next('notification')).seq).toBe(1);
  });

  it('waitFor finds a frame from an index on, without taking it from next', async () => {
    const log = new EventLog();
    log.push({ event: 'resumed', data: { count: 0, complete: true } });
    const from = log.frames.length;
    const answer = log.waitFor((f) => f.event === 'resumed' || f.event === 'error', { from });
    log.push({ event: 'error', data: { code: 'rate_limited', message: 'slow', retryAfterMs: 50 } });
    expect(await answer).toEqual({
      event: 'error',
      data: { code: 'rate_limited', message: 'slow', retryAfterMs: 50 },
    });
    expect(await log.next('resumed')).toEqual({ count: 0, complete: true });
    const none = log.waitFor((f) => f.event === 'pong', { timeoutMs: 50, what: 'pong frame' });
    const settled = expect(none).rejects.toThrow('no pong frame within 50 ms');
    await jest.advanceTimersByTimeAsync(50);
    await settled;
  });
});
