/** Optimistic concurrency: the version a write is based on, from the body or `If-Match`. */
import { BadRequestException } from '@nestjs/common';
import { TASK_VERSION_MAX } from './task.types';

const ETAG = /^(?:W\/)?(?:"(\d{1,10})"|(\d{1,10}))$/;

/** The ETag of a task version: `"3"`. */
export function etagOf(version: number): string {
  return `"${version}"`;
}

/** `"3"`, `W/"3"` or `3` → 3; absent → undefined. */
export function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const match = ETAG.exec(header.trim());
  const version = match ? Number(match[1] ?? match[2]) : NaN;
  if (!Number.isSafeInteger(version) || version < 1 || version > TASK_VERSION_MAX) {
    throw new BadRequestException(['If-Match must be a task version such as "3"']);
  }
  return version;
}

/** The version a write is based on, if it names one; 400 when body and `If-Match` disagree. */
export function expectedVersion(
  bodyVersion: number | undefined,
  ifMatch: string | undefined,
): number | undefined {
  const headerVersion = parseIfMatch(ifMatch);
  if (bodyVersion !== undefined && headerVersion !== undefined && bodyVersion !== headerVersion) {
    throw new BadRequestException(['version and If-Match disagree']);
  }
  return bodyVersion ?? headerVersion;
}
