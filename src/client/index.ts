/**
 * Herald's typed Node client (`herald/client`, built to dist/src/client/index.js): REST with
 * typed results and errors, and a WebSocket connection that awaits events, tracks the last
 * seq and resumes. It loads nothing of Nest, so a service can use it in its own tests
 * without booting Herald. README, "Testing against Herald".
 */
export { HeraldClient, type HeraldClientOptions } from './herald-client';
export { HeraldError } from './herald-error';
export { HeraldSocket, type Closed, type SocketOptions } from './herald-socket';
export { HeraldSocketError } from './herald-socket-error';
export type { UpgradeOptions } from './ws-handshake';
export { EventLog, type ServerFrame, type WaitForOptions, type WaitOptions } from './event-log';
export type { HeraldResponse, Query, RequestOptions, TransportOptions } from './http-transport';
export type { DeleteTaskOptions, Precondition } from './tasks.api';
export type * from './types';
export type {
  ClientEventName,
  ClientEvents,
  ErrorCode,
  ServerEventName,
  ServerEvents,
} from '../realtime/protocol';
export { CloseCode, RESUME_LIMIT } from '../realtime/protocol';
