/**
 * 503 with `Retry-After`: Herald is shedding load or a dependency is slow. The exception carries
 * its response headers (`headers`), which the HTTP error filter sets on the answer, so that no
 * handler needs the platform's response object.
 */
import { ServiceUnavailableException } from '@nestjs/common';

export type ShedReason = 'backlog' | 'timeout' | 'unavailable';

export class RetryLaterException extends ServiceUnavailableException {
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    message: string,
    readonly reason: ShedReason,
    retryAfterSeconds = 1,
  ) {
    super(message);
    // Whole seconds, at least 1: `Retry-After: 0` would invite an immediate retry.
    this.headers = { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) };
  }
}
