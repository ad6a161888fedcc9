/** Opaque paging cursor of GET /v1/tasks: the (createdAt, id) of the last task of a page. */
import { BadRequestException } from '@nestjs/common';
import { UUID_PATTERN } from '../http/uuid';

export interface TaskCursor {
  createdAt: Date;
  id: string;
}

export function encodeCursor(cursor: TaskCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt.getTime(), cursor.id])).toString('base64url');
}

export function decodeCursor(text: string): TaskCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    parsed = null;
  }
  if (
    Array.isArray(parsed) &&
    parsed.length === 2 &&
    Number.isSafeInteger(parsed[0]) &&
    typeof parsed[1] === 'string' &&
    UUID_PATTERN.test(parsed[1])
  ) {
    return { createdAt: new Date(parsed[0] as number), id: parsed[1] };
  }
  throw new BadRequestException(['cursor is not a cursor this API returned']);
}
