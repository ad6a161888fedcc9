/**
 * Limits on what clients control: the REST rate limit, the WebSocket and SSE connections, the
 * fan-out of topics and task assignments.
 */
import { bool, fromEnv, int } from './env-schema';

export const limitsVariables = {
  /** REST rate limit per caller, shared by all instances in Redis. */
  rateLimit: {
    enabled: fromEnv('RATE_LIMIT_ENABLED', bool(true)),
    /** Per user (a token without Herald scopes) or, without a valid token, per client IP. */
    requests: fromEnv('RATE_LIMIT_REQUESTS', int(600, 1, 1_000_000)),
    /** Per service (a token with any of Herald's SCOPES): 150,000/min = 2,500/s. */
    serviceRequests: fromEnv('RATE_LIMIT_SERVICE_REQUESTS', int(150_000, 1, 100_000_000)),
    windowMs: fromEnv('RATE_LIMIT_WINDOW_MS', int(60_000, 1000, 3_600_000)),
    /** 0: a caller over the limit waits until its window ends. */
    blockMs: fromEnv('RATE_LIMIT_BLOCK_MS', int(0, 0, 86_400_000)),
  },
  ws: {
    /** Inbound frame limit; larger frames close the socket with 1009. */
    maxPayload: fromEnv('WS_MAX_PAYLOAD', int(64 * 1024, 256, 16 * 1024 * 1024)),
    /** Per socket; past it the socket is closed with 1008. */
    maxFramesPerSecond: fromEnv('WS_MAX_FRAMES_PER_SECOND', int(50, 1, 100000)),
    /** Open connections (sockets and streams) per user across all instances. */
    maxSocketsPerUser: fromEnv('WS_MAX_SOCKETS_PER_USER', int(10, 1, 10000)),
    /** Send buffer cap; past it the socket is closed with 1013 (slow consumer). */
    maxBufferedBytes: fromEnv(
      'WS_MAX_BUFFERED_BYTES',
      int(1024 * 1024, 16 * 1024, 256 * 1024 * 1024),
    ),
    heartbeatIntervalMs: fromEnv('WS_HEARTBEAT_INTERVAL_MS', int(30000, 100, 600000)),
    /** How long an out-of-order seq is awaited before it is fetched from Postgres. */
    gapTimeoutMs: fromEnv('WS_GAP_TIMEOUT_MS', int(250, 10, 60000)),
    /** After `ready`, how long live delivery waits for the client's first frame (a `resume`). */
    resumeGraceMs: fromEnv('WS_RESUME_GRACE_MS', int(500, 0, 60000)),
    /** Per user across instances: `resume`, `read`, `read.all` frames (a token bucket in Redis). */
    userStorageFramesPerSecond: fromEnv('WS_USER_STORAGE_FRAMES_PER_SECOND', int(5, 1, 10000)),
    userStorageFramesBurst: fromEnv('WS_USER_STORAGE_FRAMES_BURST', int(20, 1, 100000)),
    /** An instance's connection entries outlive its last presence heartbeat by at most this. */
    presenceTtlMs: fromEnv('PRESENCE_TTL_MS', int(30000, 1000, 600000)),
  },
  sse: {
    /** How often an idle `/v1/stream` gets a comment line (the API promises at most 15 s). */
    heartbeatMs: fromEnv('SSE_HEARTBEAT_MS', int(15_000, 100, 15_000)),
  },
  /** Fan-out caps, enforced exactly in the subscribing transaction (TopicsService). */
  topics: {
    /** Subscribers one topic may have (at most 10,000: a publish's recipient budget). */
    maxSubscribers: fromEnv('TOPIC_MAX_SUBSCRIBERS', int(10_000, 1, 10_000)),
    /** Topics one user may be subscribed to. */
    maxTopicsPerUser: fromEnv('USER_MAX_TOPICS', int(1000, 1, 10_000)),
  },
  tasks: {
    /** Tasks one user may be assigned by others in an hour, all instances (TaskAssignmentLimit). */
    assignmentsPerHour: fromEnv('TASK_ASSIGNMENTS_PER_HOUR', int(60, 1, 1_000_000)),
  },
};
