/** Optimistic concurrency: the version a write is based on, from the body or `If-Match`. */
import { BadRequestException, HttpException, HttpStatus } from '@nestjs/common';

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
  if (!Number.isSafeInteger(version) || version < 1 || version > 2 ** 31 - 1) {
    throw new BadRequestException(['If-Match must be a task version such as "3"']);
  }
  return version;
}

/** The expected version of a write; `required` answers 428 when neither source gives one. */
export function expectedVersion(
  bodyVersion: number | undefined,
  ifMatch: string | undefined,
  required: boolean,
): number | undefined {
  const headerVersion = parseIfMatch(ifMatch);
  if (bodyVersion !== undefined && headerVersion !== undefined && bodyVersion !== headerVersion) {
    throw new BadRequestException(['version and If-Match disagree']);
  }
  const version = bodyVersion ?? headerVersion;
  if (version === undefined && required) {
    throw new HttpException(
      'send the version the change is based on: "version" in the body or an If-Match header',
      HttpStatus.PRECONDITION_REQUIRED,
    );
  }
  return version;
}
