/**
 * Sheds publishes before any per-request work on the body (validation, transformation): while
 * the publish backlog is at its bound, the request answers 503 + Retry-After from here, so a
 * shed request costs little more than its authentication and keeps the CPU for the publishes
 * that were accepted. Runs after the global guards (rate limit, JWT).
 */
import { CanActivate, Injectable } from '@nestjs/common';
import { PublishBacklog } from './publish-backlog';
import { RetryLaterException } from './retry-later.exception';

@Injectable()
export class PublishAdmissionGuard implements CanActivate {
  constructor(private readonly backlog: PublishBacklog) {}

  canActivate(): boolean {
    try {
      this.backlog.admit();
    } catch (error) {
      if (error instanceof RetryLaterException) this.backlog.recordShed(error.reason);
      throw error;
    }
    return true;
  }
}
