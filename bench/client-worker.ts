/**
 * A load-generator process holding a share of the bench's WebSocket clients (one socket per
 * user), driven over IPC by the orchestrator (ClientFleet). It records when each notification
 * frame arrives; the orchestrator knows when it was sent.
 * Length: one process: its IPC commands (connect, take, resume, stats, close) share the module's
 * sockets and frame counters, which `take` hands out and resets; split, that state would travel.
 */
import jwt from 'jsonwebtoken';
import { createSecretKey } from 'node:crypto';
import WebSocket from 'ws';
import type {
  ConnectCommand,
  ConnectResult,
  ResumeCommand,
  ResumeResult,
  StatsResult,
  TakeResult,
  WorkerCommand,
  WorkerRequest,
  WorkerResponse,
} from './fleet-protocol';
import { nowMs, sleep } from './stats';

const CONNECT_TIMEOUT_MS = 30_000;

interface Replay {
  afterSeq: number;
  seqs: number[];
  resumed: { count: number; complete: boolean } | null;
  extra: number;
  done: () => void;
}

interface NotificationFrame {
  seq: number;
  data?: { i?: number };
}

class BenchClient {
  ws: WebSocket | null = null;
  lastSeq = 0;
  replay: Replay | null = null;
  openedAt = 0;

  constructor(
    readonly userId: string,
    private readonly token: string,
  ) {}

  /** Opens the socket; resolves on `ready`. */
  open(wsUrl: string, origin: string, onFrame: (client: BenchClient, raw: string) => void) {
    return new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(wsUrl, ['herald.v1', `bearer.${this.token}`], {
        headers: { origin },
        perMessageDeflate: false,
        handshakeTimeout: CONNECT_TIMEOUT_MS,
      });
      this.ws = ws;
      const timer = setTimeout(() => fail(new Error('no ready within 30 s')), CONNECT_TIMEOUT_MS);
      const fail = (error: Error) => {
        clearTimeout(timer);
        ws.terminate();
        reject(error);
      };
      ws.once('error', fail);
      ws.once('unexpected-response', (_request, response) =>
        fail(new Error(`upgrade refused: HTTP ${response.statusCode}`)),
      );
      ws.once('close', (code) => fail(new Error(`closed before ready: ${code}`)));
      ws.once('open', () => (this.openedAt = nowMs()));
      ws.on('message', (raw: Buffer) => {
        const text = raw.toString('utf8');
        if (text.startsWith('{"event":"ready"')) {
          const ready = JSON.parse(text) as { data: { lastSeq: number } };
          if (!this.replay) this.lastSeq = ready.data.lastSeq;
          clearTimeout(timer);
          ws.removeAllListeners('close');
          ws.removeAllListeners('error');
          ws.on('error', () => undefined);
          resolve();
          if (this.replay)
            ws.send(JSON.stringify({ event: 'resume', data: { afterSeq: this.replay.afterSeq } }));
          return;
        }
        onFrame(this, text);
      });
    });
  }
}

const clients: BenchClient[] = [];
let received: number[] = [];
let foreign = 0;
let outOfOrder = 0;
let duplicates = 0;
/** Every frame after `ready` (notifications and what follows them, e.g. `unread`). */
let frames = 0;
let lastElu = performance.eventLoopUtilization();

function onFrame(client: BenchClient, text: string): void {
  frames += 1;
  if (text.startsWith('{"event":"notification"')) {
    const at = nowMs();
    const { data } = JSON.parse(text) as { data: NotificationFrame };
    const replay = client.replay;
    if (replay) {
      if (replay.resumed) replay.extra += 1;
      else replay.seqs.push(data.seq);
      return;
    }
    if (data.seq <= client.lastSeq) duplicates += 1;
    else if (data.seq !== client.lastSeq + 1) outOfOrder += 1;
    client.lastSeq = Math.max(client.lastSeq, data.seq);
    const index = data.data?.i;
    if (typeof index === 'number') received.push(index, at);
    else foreign += 1;
    return;
  }
  if (text.startsWith('{"event":"resumed"') && client.replay && !client.replay.resumed) {
    client.replay.resumed = (JSON.parse(text) as { data: Replay['resumed'] }).data;
    client.replay.done();
  }
}

async function connect(command: ConnectCommand): Promise<ConnectResult> {
  const errors: string[] = [];
  let opened = 0;
  let failed = 0;
  let lastReadyAt = 0;
  const openMs: number[] = [];
  const readyMs: number[] = [];
  const startedAt = nowMs();
  let next = command.from;
  // A KeyObject: given the secret as a string, jsonwebtoken re-parses it on every sign.
  const key = createSecretKey(Buffer.from(command.jwtSecret, 'utf8'));
  const runner = async () => {
    while (next < command.to) {
      const userId = `${command.prefix}${next++}`;
      const token = jwt.sign({ sub: userId }, key, {
        algorithm: 'HS256',
        expiresIn: 3600,
      });
      const client = new BenchClient(userId, token);
      const attemptAt = nowMs();
      try {
        await client.open(command.wsUrl, command.origin, onFrame);
        clients.push(client);
        opened += 1;
        lastReadyAt = nowMs();
        openMs.push(client.openedAt - attemptAt);
        readyMs.push(lastReadyAt - attemptAt);
      } catch (error) {
        failed += 1;
        if (errors.length < 5) errors.push((error as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: command.concurrency }, runner));
  return { opened, failed, errors, startedAt, lastReadyAt, openMs, readyMs };
}

async function closeAll(): Promise<void> {
  await Promise.all(
    clients.map(
      (client) =>
        new Promise<void>((resolve) => {
          const ws = client.ws;
          if (!ws || ws.readyState === WebSocket.CLOSED) return resolve();
          const timer = setTimeout(() => {
            ws.terminate();
            resolve();
          }, 5000);
          ws.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
          ws.close();
        }),
    ),
  );
}

async function resume(
  command: ResumeCommand,
  wsUrl: string,
  origin: string,
): Promise<ResumeResult> {
  const startedAt = nowMs();
  const resumedAt: number[] = [];
  let failed = 0;
  const samples: string[] = [];
  await Promise.all(
    clients.map(async (client) => {
      const finished = new Promise<void>((done) => {
        client.replay = { afterSeq: client.lastSeq, seqs: [], resumed: null, extra: 0, done };
      });
      try {
        await client.open(wsUrl, origin, onFrame);
        const timeout = sleep(30_000).then(() => {
          throw new Error('no resumed within 30 s');
        });
        await Promise.race([finished, timeout]);
        resumedAt.push(nowMs());
      } catch (error) {
        failed += 1;
        if (samples.length < 5) samples.push(`${client.userId}: ${(error as Error).message}`);
      }
    }),
  );
  await sleep(300); // catch live duplicates that would follow the replay
  let exact = 0;
  let wrong = 0;
  let replayed = 0;
  for (const client of clients) {
    const replay = client.replay;
    if (!replay?.resumed) continue;
    replayed += replay.seqs.length;
    const inOrder = replay.seqs.every((seq, k) => seq === replay.afterSeq + 1 + k);
    if (
      inOrder &&
      replay.seqs.length === command.expected &&
      replay.resumed.count === command.expected &&
      replay.resumed.complete &&
      replay.extra === 0
    ) {
      exact += 1;
    } else {
      wrong += 1;
      if (samples.length < 5) {
        samples.push(
          `${client.userId}: after ${replay.afterSeq} got ${replay.seqs.length} ` +
            `(${replay.seqs.slice(0, 3).join(',')}…) resumed ${JSON.stringify(replay.resumed)} extra ${replay.extra}`,
        );
      }
    }
  }
  return { startedAt, resumedAt, exact, wrong, failed, samples, replayed };
}

let lastConnect: ConnectCommand | null = null;

async function handle(command: WorkerCommand): Promise<unknown> {
  switch (command.cmd) {
    case 'connect':
      lastConnect = command;
      return connect(command);
    case 'close':
      return closeAll();
    case 'take': {
      const result: TakeResult = { received, foreign, outOfOrder, duplicates, frames };
      received = [];
      foreign = outOfOrder = duplicates = frames = 0;
      return result;
    }
    case 'resume':
      if (!lastConnect) throw new Error('resume before connect');
      return resume(command, lastConnect.wsUrl, lastConnect.origin);
    case 'stats': {
      const usage = process.cpuUsage();
      const elu = performance.eventLoopUtilization(lastElu);
      lastElu = performance.eventLoopUtilization();
      const result: StatsResult = {
        cpuSeconds: (usage.user + usage.system) / 1e6,
        utilization: elu.utilization,
        rssBytes: process.memoryUsage.rss(),
      };
      return result;
    }
  }
}

process.on('message', (request: WorkerRequest) => {
  handle(request.command).then(
    (result) => process.send?.({ id: request.id, ok: true, result } satisfies WorkerResponse),
    (error: unknown) =>
      process.send?.({ id: request.id, ok: false, error: String(error) } satisfies WorkerResponse),
  );
});
// The orchestrator is gone (finished or killed): never outlive it.
process.on('disconnect', () => process.exit(0));
