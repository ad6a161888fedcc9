/**
 * Recognises errors that mean "a dependency (Postgres, Redis) is down or overloaded", so they
 * become 503 (retry later) instead of 500.
 */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  // Postgres: connection exceptions, admin shutdown, cannot connect now, too many connections,
  // statement timeout / query canceled
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '57014',
]);

const CONNECTION_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Connection is closed',
  "Stream isn't writeable",
  'Reached the max retries per request limit',
  'Client has encountered a connection error',
  'Cannot use a pool after calling end',
];

export function isUnavailableError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 4; depth++) {
    const candidate = e as {
      code?: unknown;
      message?: unknown;
      driverError?: unknown;
      cause?: unknown;
    };
    if (typeof candidate.code === 'string' && CONNECTION_CODES.has(candidate.code)) return true;
    if (
      typeof candidate.message === 'string' &&
      CONNECTION_MESSAGES.some((m) => (candidate.message as string).includes(m))
    ) {
      return true;
    }
    e = candidate.driverError ?? candidate.cause;
  }
  return false;
}
