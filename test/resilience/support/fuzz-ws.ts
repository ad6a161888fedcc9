/**
 * Fuzz WebSocket frames: frames that leave the connection open, each with the kind of answer
 * the server owes it, and frames the server must answer by closing (1007, 1009).
 */
import { randomUUID } from 'node:crypto';
import { jsonValue, nested, toJson, type Rng } from './fuzz-values';

export type FrameKind = 'error' | 'answer' | 'silent';

export interface WsFrame {
  data: Buffer | string;
  binary: boolean;
  /**
   * What the server must answer: `error` (an error event), `answer` (pong or resumed), or
   * `silent` (maybe nothing, e.g. a valid read of unknown ids).
   */
  expect: FrameKind;
  label: string;
}

/**
 * One WebSocket frame that leaves the connection open (closing frames are separate): random
 * frames that come out larger than `maxBytes` are replaced by a small malformed one.
 */
export function wsFrame(rng: Rng, maxBytes: number): WsFrame {
  const frame = anyFrame(rng);
  if (Buffer.byteLength(frame.data) <= maxBytes) return frame;
  return { data: '{"event":', binary: false, expect: 'error', label: 'invalid json' };
}

function anyFrame(rng: Rng): WsFrame {
  const text = (value: unknown, expect: FrameKind, label: string): WsFrame => ({
    data: toJson(value),
    binary: false,
    expect,
    label,
  });
  switch (rng.int(14)) {
    case 0:
      return {
        data: rng.pick(['', '{', 'not json', '{"event":', '[1,', 'NaN']),
        binary: false,
        expect: 'error',
        label: 'invalid json',
      };
    case 1:
      return { data: rng.bytes(1 + rng.int(500)), binary: true, expect: 'error', label: 'binary' };
    case 2:
      return text(rng.pick([1, 'x', null, true, [1, 2], []]), 'error', 'not an object');
    case 3:
      return text({ event: jsonValue(rng, 4), data: {} }, 'error', 'event not a string');
    case 4:
      return text({ data: jsonValue(rng) }, 'error', 'no event');
    case 5:
      return text(
        {
          event: rng.pick([
            'subscribe',
            'RESUME',
            '',
            'x'.repeat(30_000),
            '__proto__',
            'constructor',
            'toString',
          ]),
          data: {},
        },
        'error',
        'unknown event',
      );
    case 6:
      return text(
        {
          event: 'resume',
          data: rng.pick([
            { afterSeq: 'x' },
            { afterSeq: -1 },
            { afterSeq: 1.5 },
            { afterSeq: 2 ** 31 },
            { afterSeq: null },
            {},
            [],
            'x',
            { afterSeq: nested(500, 'array') },
          ]),
        },
        'error',
        'resume, bad data',
      );
    case 7:
      return text(
        {
          event: 'read',
          data: rng.pick([
            { ids: 'x' },
            { ids: [] },
            { ids: [1] },
            { ids: ['not-a-uuid'] },
            { ids: Array.from({ length: 1001 }, () => randomUUID()) },
            {},
            null,
            { ids: nested(2000, 'array') },
          ]),
        },
        'error',
        'read, bad data',
      );
    case 8:
      return text({ event: 'ping', data: jsonValue(rng) }, 'answer', 'ping');
    case 9:
      return text({ event: 'read', data: { ids: [randomUUID()] } }, 'silent', 'read, unknown id');
    case 10:
      return text({ event: 'read.all', data: jsonValue(rng) }, 'silent', 'read.all');
    case 11:
      return text(
        nested(rng.pick([100, 1000, 5000]), rng.chance(0.5) ? 'array' : 'object'),
        'error',
        'deep',
      );
    case 12:
      return text({ event: 'ping', data: nested(3000, 'object') }, 'answer', 'ping, deep data');
    default:
      return text({ event: 'resume', data: { afterSeq: rng.int(3) } }, 'answer', 'resume');
  }
}

export interface ClosingFrame {
  data: Buffer;
  closeCode: number;
  label: string;
}

/** A frame the server must answer by closing: invalid UTF-8 text (1007), too big (1009). */
export function closingFrame(rng: Rng, maxPayload: number): ClosingFrame {
  if (rng.chance(0.5)) {
    const bad = rng.pick([[0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80]]);
    return {
      data: Buffer.concat([
        Buffer.from('{"event":"ping","data":"'),
        Buffer.from(bad),
        Buffer.from('"}'),
      ]),
      closeCode: 1007,
      label: 'invalid utf-8 text',
    };
  }
  return {
    data: Buffer.from(
      JSON.stringify({ event: 'ping', data: 'x'.repeat(maxPayload + rng.int(100_000)) }),
    ),
    closeCode: 1009,
    label: 'over WS_MAX_PAYLOAD',
  };
}
