/**
 * The replay rule (ResumeService) over an inbox in memory, on connections as ConnectionFactory
 * builds them: no socket, no database, fake timers for the resume grace and the gap timeout.
 */
import type { Principal } from '../auth/principal';
import type { AppConfig } from '../config/app-config';
import type { MetricsService } from '../metrics/metrics.service';
import type { NotificationView } from '../notifications/notification.types';
import type { ClientConnection } from './client-connection';
import { ConnectionFactory } from './connection-factory';
import { ConnectionRegistry } from './connection-registry';
import type { ConnectionSocket } from './connection-socket';
import type { InboxPort } from './inbox.port';
import { notificationFrame, sharedContentJson } from './notification-frames';
import type { PresenceService } from './presence.service';
import { encodeFrame, RESUME_LIMIT, type ServerEventName } from './protocol';
import { ResumeService } from './resume.service';

const GRACE_MS = 500;
const config = {
  ws: {
    maxFramesPerSecond: 50,
    maxBufferedBytes: 1000,
    gapTimeoutMs: 250,
    resumeGraceMs: GRACE_MS,
  },
} as AppConfig;
const principal: Principal = {
  userId: 'ann',
  scopes: new Set(),
  expiresAt: Date.now() / 1000 + 3600,
};

class FakeSocket implements ConnectionSocket {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  readonly sent: string[] = [];
  closedWith: number | null = null;
  send(frame: string): void {
    this.sent.push(frame);
  }
  close(code: number): void {
    this.closedWith = code;
    this.readyState = 3;
  }
  ping(): void {}
  terminate(): void {}
  /** The frames sent, parsed; notifications by their seq. */
  get events(): string[] {
    return this.sent.map((raw) => {
      const frame = JSON.parse(raw) as { event: ServerEventName; data: { seq: number } };
      return frame.event === 'notification' ? `n${frame.data.seq}` : frame.event;
    });
  }
}

const content = { type: 't', body: '', data: {}, topic: null, publisher: 'svc', critical: false };
const view = (seq: number): NotificationView => ({
  ...content,
  id: `id-${seq}`,
  seq,
  userId: 'ann',
  title: `#${seq}`,
  createdAt: new Date(0).toISOString(),
  readAt: null,
  archivedAt: null,
  snoozedUntil: null,
});

/** Ann's inbox with seqs 1..`count`. */
class FakeInbox implements InboxPort {
  failing = false;
  constructor(public count: number) {}
  unreadCount = () => this.answer(this.count);
  lastSeq = () => this.answer(this.count);
  range = (_userId: string, afterSeq: number, limit: number, beforeSeq = Infinity) => {
    const seqs: number[] = [];
    for (let seq = afterSeq + 1; seq <= this.count && seq < beforeSeq && seqs.length < limit; seq++)
      seqs.push(seq);
    return this.answer(seqs.map(view));
  };
  markManyRead = () => this.answer(0);
  markAllRead = () => this.answer(0);
  private answer<T>(value: T): Promise<T> {
    return this.failing ? Promise.reject(new Error('postgres away')) : Promise.resolve(value);
  }
}

function setUp(inboxSize = 3) {
  const metrics = {
    countConnectionsWith: jest.fn(),
    slowConsumerClosed: jest.fn(),
    frameSent: jest.fn(),
  };
  const presence = { release: jest.fn() };
  const inbox = new FakeInbox(inboxSize);
  const resume = new ResumeService(inbox);
  const registry = new ConnectionRegistry(metrics as unknown as MetricsService);
  const factory = new ConnectionFactory(
    config,
    registry,
    metrics as unknown as MetricsService,
    presence as unknown as PresenceService,
    resume,
  );
  const open = () => {
    const socket = new FakeSocket();
    return { socket, connection: factory.create(socket, principal) };
  };
  return { inbox, resume, open };
}

/** A live notification of ann's, as the bus delivers it. */
function live(connection: ClientConnection, seq: number): void {
  const frame = notificationFrame(sharedContentJson(view(seq), ''), 'ann', `id-${seq}`, seq);
  connection.offerNotification(seq, frame, encodeFrame('unread', { count: 1 }));
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('ResumeService', () => {
  it('fills a gap in the live stream from the inbox after the gap timeout', async () => {
    const { inbox, resume, open } = setUp(3);
    const { socket, connection } = open();
    await resume.sendReady(connection);
    connection.endGrace(); // live after ready.lastSeq = 3
    inbox.count = 5;
    live(connection, 5); // 4 never arrives live
    await jest.advanceTimersByTimeAsync(config.ws.gapTimeoutMs - 1);
    expect(socket.events).toEqual(['ready']);
    await jest.advanceTimersByTimeAsync(1);
    expect(socket.events).toEqual(['ready', 'n4', 'n5', 'unread']);
  });

  it('sends ready, then holds live notifications for the grace, then lets them through', async () => {
    const { resume, open } = setUp(3);
    const { socket, connection } = open();
    live(connection, 4); // before ready: held
    expect(await resume.sendReady(connection)).toBe(true);
    expect(JSON.parse(socket.sent[0])).toEqual({
      event: 'ready',
      data: { userId: 'ann', unreadCount: 3, lastSeq: 3 },
    });
    await jest.advanceTimersByTimeAsync(GRACE_MS - 1);
    expect(socket.events).toEqual(['ready']);
    await jest.advanceTimersByTimeAsync(1);
    expect(socket.events).toEqual(['ready', 'n4', 'unread']);
  });

  it('replays after afterSeq, then resumed, then live notifications each exactly once', async () => {
    const { resume, open } = setUp(3);
    const { socket, connection } = open();
    await resume.sendReady(connection);
    live(connection, 2); // also in the replay
    const replay = resume.resume(connection, 1);
    live(connection, 4); // stored after the replay's read: comes live, after it
    live(connection, 3);
    await replay;
    expect(socket.events).toEqual(['ready', 'n2', 'n3', 'resumed', 'n4', 'unread']);
    expect(JSON.parse(socket.sent[3])).toEqual({
      event: 'resumed',
      data: { count: 2, complete: true },
    });
  });

  it('continues after the newest seq when the client names one past it', async () => {
    const { resume, open } = setUp(3);
    const { socket, connection } = open();
    await resume.sendReady(connection);
    await resume.resume(connection, 99);
    live(connection, 4);
    expect(socket.events).toEqual(['ready', 'resumed', 'n4', 'unread']);
  });

  it('stops at RESUME_LIMIT, says so, and continues live from the newest seq', async () => {
    const { resume, open } = setUp(RESUME_LIMIT + 5);
    const { socket, connection } = open();
    await resume.sendReady(connection);
    await resume.resume(connection, 0);
    live(connection, RESUME_LIMIT + 6);
    const events = socket.events;
    expect(events.filter((e) => e.startsWith('n'))).toHaveLength(RESUME_LIMIT + 1);
    expect(events.at(-4)).toBe(`n${RESUME_LIMIT}`);
    expect(JSON.parse(socket.sent.at(-3) as string)).toEqual({
      event: 'resumed',
      data: { count: RESUME_LIMIT, complete: false },
    });
    expect(events.slice(-2)).toEqual([`n${RESUME_LIMIT + 6}`, 'unread']);
  });

  it('refuses a second resume while one runs', async () => {
    const { resume, open } = setUp(3);
    const { socket, connection } = open();
    await resume.sendReady(connection);
    await Promise.all([resume.resume(connection, 0), resume.resume(connection, 0)]);
    expect(socket.events).toEqual(['ready', 'error', 'n1', 'n2', 'n3', 'resumed']);
    expect(JSON.parse(socket.sent[1])).toMatchObject({ data: { code: 'resume_in_progress' } });
  });

  it('answers unavailable when storage fails, and live delivery goes on where it was', async () => {
    const { inbox, resume, open } = setUp(3);
    const { socket, connection } = open();
    await resume.sendReady(connection);
    inbox.failing = true;
    await resume.resume(connection, 0);
    live(connection, 4);
    expect(socket.events).toEqual(['ready', 'error', 'n4', 'unread']);
    expect(JSON.parse(socket.sent[1])).toMatchObject({ data: { code: 'unavailable' } });
  });

  it('closes with 1013 when ready cannot be read', async () => {
    const { inbox, resume, open } = setUp(3);
    const { socket, connection } = open();
    inbox.failing = true;
    expect(await resume.sendReady(connection)).toBe(false);
    expect(socket.closedWith).toBe(1013);
  });

  it('starts a stream with its cursor: ready, the replay, resumed; without one, live at once', async () => {
    const { resume, open } = setUp(3);
    const withCursor = open();
    await resume.start(withCursor.connection, 2);
    expect(withCursor.socket.events).toEqual(['ready', 'n3', 'resumed']);
    const without = open();
    await resume.start(without.connection, undefined);
    live(without.connection, 4); // no grace to wait for
    expect(without.socket.events).toEqual(['ready', 'n4', 'unread']);
  });
});
