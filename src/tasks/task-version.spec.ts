import { BadRequestException } from '@nestjs/common';
import { expectedVersion, parseIfMatch } from './task-version';

/** The messages of the BadRequestException `run` throws. */
function badRequest(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof BadRequestException) {
      return (error.getResponse() as { message: string[] }).message;
    }
    throw error;
  }
  throw new Error('nothing thrown');
}

describe('parseIfMatch', () => {
  it.each([
    ['"3"', 3],
    ['W/"3"', 3],
    ['3', 3],
    [' "12" ', 12],
  ])('reads %s as %d', (header, version) => {
    expect(parseIfMatch(header)).toBe(version);
  });

  it('treats a missing or empty header as absent', () => {
    expect(parseIfMatch(undefined)).toBeUndefined();
    expect(parseIfMatch('')).toBeUndefined();
  });

  it.each(['*', '"3', '"a"', '"0"', '"99999999999"', '"1", "2"'])('rejects %s', (header) => {
    expect(badRequest(() => parseIfMatch(header))).toEqual([
      'If-Match must be a task version such as "3"',
    ]);
  });
});

describe('expectedVersion', () => {
  it('takes the body or the header, and refuses when they disagree', () => {
    expect(expectedVersion(4, undefined)).toBe(4);
    expect(expectedVersion(undefined, '"4"')).toBe(4);
    expect(expectedVersion(4, '"4"')).toBe(4);
    expect(badRequest(() => expectedVersion(4, '"5"'))).toEqual(['version and If-Match disagree']);
  });

  it('is undefined when neither names a version: the write is unconditional', () => {
    expect(expectedVersion(undefined, undefined)).toBeUndefined();
    expect(expectedVersion(undefined, '')).toBeUndefined();
  });
});
