/**
 * 503 with `Retry-After`: Herald is shedding load, or the queue is down or slow. A
 * ProblemException, so the one exception filter sets its headers on the answer.
 */
import { ProblemException } from '../http/problem.exception';

export type ShedReason = 'backlog' | 'timeout' | 'unavailable';

export class RetryLaterException extends ProblemException {
  constructor(
    message: string,
    readonly reason: ShedReason,
    retryAfterSeconds = 1,
  ) {
    // Whole seconds, at least 1: `Retry-After: 0` would invite an immediate retry.
    super(503, message, {
      headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
    });
  }
}
