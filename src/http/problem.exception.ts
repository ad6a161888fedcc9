/**
 * An HttpException that carries what its answer adds to the error body of API.md: extra
 * fields (`currentVersion` of a 409) and headers (`Retry-After` of a 503 or 429, `ETag`). The
 * one exception filter (http-error.filter.ts) writes them; nothing else writes error bodies.
 */
import { HttpException } from '@nestjs/common';

/** What an exception adds to its answer; any HttpException may declare these two fields. */
export interface ErrorExtras {
  /** Merged into the body after `statusCode, error, message`; cannot replace those or `requestId`. */
  readonly extra?: Readonly<Record<string, unknown>>;
  readonly headers?: Readonly<Record<string, string>>;
}

export class ProblemException extends HttpException implements ErrorExtras {
  readonly extra?: Readonly<Record<string, unknown>>;
  readonly headers?: Readonly<Record<string, string>>;

  constructor(status: number, message: string | string[], extras: ErrorExtras = {}) {
    super({ message }, status);
    this.extra = extras.extra;
    this.headers = extras.headers;
  }
}
