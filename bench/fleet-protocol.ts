/** Messages between the bench orchestrator and its WebSocket client worker processes (IPC). */

export interface ConnectCommand {
  cmd: 'connect';
  wsUrl: string;
  origin: string;
  jwtSecret: string;
  /** Users `${prefix}${from}` … `${prefix}${to - 1}`, one socket each. */
  prefix: string;
  from: number;
  to: number;
  /** Handshakes in flight at once in this worker. */
  concurrency: number;
}

export interface ConnectResult {
  opened: number;
  failed: number;
  errors: string[];
  /** Epoch ms of the first attempt and of the last `ready`. */
  startedAt: number;
  lastReadyAt: number;
  /** Per connection: attempt → upgrade answered (open), attempt → `ready` frame. */
  openMs: number[];
  readyMs: number[];
}

/** Closes every socket; answers once they are closed. */
export interface CloseCommand {
  cmd: 'close';
}

/** Hands over (and forgets) the notification frames received since the last `take`. */
export interface TakeCommand {
  cmd: 'take';
}

export interface TakeResult {
  /** Flat pairs: [benchIndex, receivedAtMs, benchIndex, receivedAtMs, …] */
  received: number[];
  /** Frames without a bench index (not ours) — should be 0. */
  foreign: number;
  /** Live frames whose seq was not lastSeq + 1 on their socket. */
  outOfOrder: number;
  /** WebSocket frames of any kind received since the last take. */
  frames: number;
  duplicates: number;
}

/**
 * Reconnects every user of this worker at once, sends `resume { afterSeq }` (the lastSeq of its
 * previous `ready`) after `ready`, and checks the replay.
 */
export interface ResumeCommand {
  cmd: 'resume';
  expected: number;
}

export interface ResumeResult {
  startedAt: number;
  /** Epoch ms at which each client got `resumed`. */
  resumedAt: number[];
  exact: number;
  wrong: number;
  failed: number;
  samples: string[];
  replayed: number;
}

export interface StatsCommand {
  cmd: 'stats';
}

export interface StatsResult {
  cpuSeconds: number;
  /** Event-loop utilization since the previous `stats` (0–1): near 1 means the client saturated. */
  utilization: number;
  rssBytes: number;
}

export type WorkerCommand =
  ConnectCommand | CloseCommand | TakeCommand | ResumeCommand | StatsCommand;

export interface WorkerRequest {
  id: number;
  command: WorkerCommand;
}

export interface WorkerResponse {
  id: number;
  ok: boolean;
  error?: string;
  result?: unknown;
}
