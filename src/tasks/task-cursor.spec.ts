import { BadRequestException } from '@nestjs/common';
import { decodeCursor, encodeCursor } from './task-cursor';

describe('task cursor', () => {
  it('round-trips createdAt (to the millisecond) and id', () => {
    const cursor = {
      createdAt: new Date('2030-01-31T17:00:00.123Z'),
      id: '6f1c1a8e-6c57-4a59-9a57-0d1b7f0c2a11',
    };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
  });

  it.each([
    'garbage',
    Buffer.from('[1, "not-a-uuid"]').toString('base64url'),
    Buffer.from('{"a":1}').toString('base64url'),
    Buffer.from('[1.5, "6f1c1a8e-6c57-4a59-9a57-0d1b7f0c2a11"]').toString('base64url'),
  ])('rejects %s with 400', (text) => {
    expect(() => decodeCursor(text)).toThrow(BadRequestException);
  });
});
