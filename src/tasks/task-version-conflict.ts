import { ConflictException } from '@nestjs/common';
import type { ErrorExtras } from '../http/problem.exception';
import { etagOf } from './task-version';

/**
 * A write based on a version that is no longer current. Answered 409 in the usual error shape
 * plus `currentVersion` (and the current ETag), so a client can reload, reapply its change and
 * retry without parsing the message.
 */
export class TaskVersionConflict extends ConflictException implements ErrorExtras {
  readonly extra: Readonly<Record<string, unknown>>;
  readonly headers: Readonly<Record<string, string>>;

  constructor(readonly currentVersion: number) {
    super(`the task was changed meanwhile; its current version is ${currentVersion}`);
    this.extra = { currentVersion };
    this.headers = { ETag: etagOf(currentVersion) };
  }
}
