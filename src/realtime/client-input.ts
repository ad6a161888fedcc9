/**
 * The checks of what a client sends: each event's `data` against its ClientEvents type, and a
 * seq cursor (the `resume` frame, SSE's Last-Event-ID / `?afterSeq=`). A value that fails is
 * answered, never trusted: the gateway with `error invalid_data`, the stream with 400.
 */
import { UUID_PATTERN } from '../http/uuid';
import { MAX_IDS_PER_READ } from '../notifications/dto/limits';
import type { ClientEvents } from './protocol';

/** Seqs are Postgres `integer`s. */
const MAX_SEQ = 2 ** 31 - 1;

/** What each checked event needs, as its `invalid_data` error says it. */
export const INPUT_RULES = {
  resume: 'resume needs { afterSeq: integer >= 0 }',
  read: `read needs { ids: 1-${MAX_IDS_PER_READ} uuids }`,
} as const satisfies Partial<Record<keyof ClientEvents, string>>;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A seq a client may name as a cursor: an integer from 0 to the largest seq there can be. */
export function isSeq(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_SEQ;
}

/** `resume`'s data, or null when it is not `{ afterSeq: seq }`. */
export function resumeInput(data: unknown): ClientEvents['resume'] | null {
  const afterSeq = isRecord(data) ? data['afterSeq'] : undefined;
  return isSeq(afterSeq) ? { afterSeq } : null;
}

/** `read`'s data, or null when it is not `{ ids: 1–MAX_IDS_PER_READ uuids }`. */
export function readInput(data: unknown): ClientEvents['read'] | null {
  const ids = isRecord(data) ? data['ids'] : undefined;
  if (!Array.isArray(ids) || ids.length < 1 || ids.length > MAX_IDS_PER_READ) return null;
  return ids.every((id) => typeof id === 'string' && UUID_PATTERN.test(id))
    ? { ids: ids as string[] }
    : null;
}
