/**
 * A small seeded generator of hostile input for Herald: HTTP requests (method, path, query,
 * headers, body) and WebSocket frames. Same seed, same cases, so a failure can be replayed by
 * running the suite with FUZZ_SEED=<seed>.
 */
import { randomUUID } from 'node:crypto';

/** mulberry32: tiny, fast, good enough for test data. */
export class Rng {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(max: number): number {
    return Math.floor(this.next() * max);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  bytes(n: number): Buffer {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }
}

const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  '\ud800', // lone surrogate
  '\udfff\ud800',
  '💥'.repeat(3),
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '${jndi:ldap://x}',
  '../../../../etc/passwd',
  '%00%ff',
  '\r\nSet-Cookie: x=1',
  'null',
  'undefined',
  '__proto__',
  'constructor',
  'NaN',
  '-1',
  '1e400',
  '9'.repeat(40),
  'a'.repeat(129),
  'a'.repeat(201),
  'a'.repeat(2001),
];

/** A JSON-able value of any shape, sometimes absurd. */
export function jsonValue(rng: Rng, depth = 0): unknown {
  const kind = rng.int(depth > 3 ? 7 : 10);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
      return rng.pick([0, -1, 1.5, -0, 2 ** 31, 2 ** 53 + 1, 1e308, -1e308, Number.MIN_VALUE]);
    case 3:
      return rng.pick(NASTY_STRINGS);
    case 4:
      return 'x'.repeat(rng.pick([1, 100, 1000, 10_000, 100_000]));
    case 5:
      return randomUUID();
    case 6:
      return String.fromCharCode(...Array.from({ length: 20 }, () => rng.int(0x10000)));
    case 7:
      return Array.from({ length: rng.int(5) }, () => jsonValue(rng, depth + 1));
    case 8: {
      const object: Record<string, unknown> = {};
      for (let i = rng.int(5); i > 0; i--) {
        object[
          rng.pick(['a', 'data', 'ids', '__proto__', 'constructor', rng.pick(NASTY_STRINGS)])
        ] = jsonValue(rng, depth + 1);
      }
      return object;
    }
    default:
      return nested(rng.pick([50, 500, 5000]), rng.chance(0.5) ? 'array' : 'object');
  }
}

/**
 * A value nested `depth` levels deep. Built as text: JSON.stringify itself recurses, so a deep
 * value is a marker that `toJson` expands.
 */
export function nested(depth: number, shape: 'array' | 'object'): string {
  return `@@deep-${shape}-${depth}@@`;
}

/** The JSON text of a deep value. */
export function deepJson(depth: number, shape: 'array' | 'object'): string {
  return shape === 'array'
    ? '['.repeat(depth) + '1' + ']'.repeat(depth)
    : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

/** JSON.stringify, with `nested` markers expanded. */
export function toJson(value: unknown): string {
  return (JSON.stringify(value) ?? 'null').replace(
    /"@@deep-(array|object)-(\d+)@@"/g,
    (_, shape: 'array' | 'object', depth: string) => deepJson(Number(depth), shape),
  );
}

/** A valid publish body, as a starting point for mutations. */
export function validPublish(rng: Rng): Record<string, unknown> {
  return {
    userIds: [`fz-${rng.int(50)}`],
    type: 'fuzz',
    title: 'fuzz',
    body: 'b',
    data: { n: rng.int(100) },
  };
}

/** A body derived from a valid one: fields dropped, retyped, added, or the whole thing odd. */
function mutate(rng: Rng, base: Record<string, unknown>): unknown {
  const body: Record<string, unknown> = { ...base };
  const keys = Object.keys(body);
  for (let n = 1 + rng.int(3); n > 0; n--) {
    const op = rng.int(4);
    const key = rng.pick(keys);
    if (op === 0) delete body[key];
    else if (op === 1) body[key] = jsonValue(rng);
    else if (op === 2)
      body[rng.pick(['extra', '__proto__', 'topic', 'idempotencyKey'])] = jsonValue(rng);
    else body[key] = nested(rng.pick([20, 200, 3000]), 'object');
  }
  return body;
}

export interface HttpCase {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** What the case is, for failure messages. */
  label: string;
}

export interface Tokens {
  service: string;
  user: string;
}

const TEXT_ENCODING_TRAPS: [string, (rng: Rng) => Buffer][] = [
  [
    'invalid utf-8',
    (rng) => Buffer.concat([Buffer.from('{"title":"'), rng.bytes(8), Buffer.from('"}')]),
  ],
  ['binary', (rng) => rng.bytes(1 + rng.int(2000))],
  ['truncated json', () => Buffer.from('{"userIds":["a"],"type":"t","tit')],
  ['trailing comma', () => Buffer.from('{"userIds":["a"],}')],
  ['single quotes', () => Buffer.from("{'userIds':['a']}")],
  ['NaN literal', () => Buffer.from('{"data":{"n":NaN}}')],
  ['top-level scalar', (rng) => Buffer.from(rng.pick(['1', 'null', 'true', '"x"']))],
  ['empty', () => Buffer.alloc(0)],
  ['deep array', (rng) => Buffer.from('['.repeat(rng.pick([1000, 100_000])) + ']'.repeat(0))],
  [
    'deep array closed',
    (rng) => {
      const n = rng.pick([1000, 50_000, 200_000]);
      return Buffer.from('['.repeat(n) + ']'.repeat(n));
    },
  ],
  ['utf-16 bom', () => Buffer.from('\ufeff{"a":1}', 'utf16le')],
  ['over 1 MiB', () => Buffer.from(JSON.stringify({ title: 'x'.repeat(1024 * 1024 + 10) }))],
  ['just under 1 MiB', () => Buffer.from(JSON.stringify({ title: 'x'.repeat(1000 * 1000) }))],
];

const ROUTES: { method: string; path: (rng: Rng) => string; token: keyof Tokens | null }[] = [
  { method: 'POST', path: () => '/v1/notifications', token: 'service' },
  { method: 'POST', path: () => '/v1/notifications', token: 'service' },
  { method: 'POST', path: () => '/v1/notifications', token: 'user' },
  { method: 'GET', path: (rng) => `/v1/notifications${query(rng)}`, token: 'user' },
  { method: 'GET', path: () => '/v1/notifications/unread-count', token: 'user' },
  { method: 'POST', path: () => '/v1/notifications/read', token: 'user' },
  { method: 'POST', path: () => '/v1/notifications/read-all', token: 'user' },
  { method: 'POST', path: (rng) => `/v1/notifications/${segment(rng)}/read`, token: 'user' },
  { method: 'PUT', path: (rng) => `/v1/topics/${segment(rng)}/subscribers`, token: 'service' },
  {
    method: 'DELETE',
    path: (rng) => `/v1/topics/${segment(rng)}/subscribers/${segment(rng)}`,
    token: 'service',
  },
  { method: 'PUT', path: (rng) => `/v1/me/topics/${segment(rng)}`, token: 'user' },
  { method: 'PUT', path: (rng) => `/v1/topics/${segment(rng)}`, token: 'service' },
  { method: 'GET', path: (rng) => `/v1/topics/${segment(rng)}`, token: 'service' },
  { method: 'POST', path: () => '/v1/tasks', token: 'user' },
  { method: 'PATCH', path: (rng) => `/v1/tasks/${segment(rng)}`, token: 'user' },
  { method: 'GET', path: (rng) => `/v1/tasks${query(rng)}`, token: 'user' },
  { method: 'DELETE', path: (rng) => `/v1/tasks/${segment(rng)}`, token: 'user' },
  { method: 'GET', path: (rng) => `/v1/${segment(rng)}`, token: null },
  { method: 'PROPFIND', path: () => '/v1/notifications', token: 'service' },
];

/** Percent-encoded; a lone surrogate (which has no UTF-8) becomes its CESU-8 bytes. */
function percentEncoded(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return '%ED%A0%80';
  }
}

function segment(rng: Rng): string {
  return rng.pick([
    () => randomUUID(),
    () => 'a'.repeat(rng.pick([1, 200, 201, 5000])),
    () => '%00',
    () => '%E0%A4%A',
    () => '%2e%2e',
    () => percentEncoded(rng.pick(NASTY_STRINGS) || 'x'),
    () => 'ok.topic',
    () => '-1',
  ])();
}

function query(rng: Rng): string {
  const params = rng.pick([
    'limit=-1',
    'limit=abc',
    'limit=1e400',
    'limit[]=1&limit[]=2',
    'limit[a]=1',
    'before=9999999999999',
    'after=-5',
    'unread=maybe',
    'status=nope',
    'cursor=%00',
    'cursor=' + 'x'.repeat(5000),
    'zzz=1',
    'a' + '[b]'.repeat(40) + '=1',
    'limit=5',
  ]);
  return `?${params}`;
}

const CONTENT_TYPES = [
  'application/json',
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  '',
];

/** One HTTP case. */
export function httpCase(rng: Rng, tokens: Tokens): HttpCase {
  const route = rng.pick(ROUTES);
  const headers: Record<string, string> = {};
  const label: string[] = [route.method];
  // Authorization: usually right, sometimes mangled.
  const token = route.token ? tokens[route.token] : null;
  const auth = rng.int(10);
  if (token && auth < 7) headers['authorization'] = `Bearer ${token}`;
  else if (auth === 7)
    headers['authorization'] = rng.pick(['Bearer', 'Bearer ', 'Basic YTpi', 'bearer x.y.z']);
  else if (auth === 8 && token)
    headers['authorization'] = `Bearer ${token}${rng.pick(['x', '.', '=='])}`;
  else if (auth === 9) headers['authorization'] = `Bearer ${'a'.repeat(rng.pick([100, 8000]))}`;
  const contentType = rng.pick(CONTENT_TYPES);
  if (contentType) headers['content-type'] = contentType;
  if (rng.chance(0.05)) headers['content-encoding'] = rng.pick(['gzip', 'deflate', 'br', 'foo']);
  if (rng.chance(0.05)) headers['x-request-id'] = rng.pick(['<x>', 'a'.repeat(500), 'ok-id']);
  if (rng.chance(0.05))
    headers['if-match'] = rng.pick(['"1"', '"x"', '*', 'W/"1"', '"99999999999"']);
  if (rng.chance(0.03)) headers['origin'] = 'https://evil.example';

  let body: Buffer | undefined;
  if (route.method !== 'GET' && route.method !== 'DELETE') {
    const kind = rng.int(10);
    if (kind < 5) {
      body = Buffer.from(toJson(mutate(rng, validPublish(rng))));
      label.push('mutated json');
    } else if (kind < 7) {
      body = Buffer.from(toJson(jsonValue(rng)));
      label.push('random json');
    } else if (kind < 8) {
      body = Buffer.from(
        toJson(rng.chance(0.5) ? { ids: jsonValue(rng) } : { userIds: jsonValue(rng) }),
      );
      label.push('ids json');
    } else {
      const [name, make] = rng.pick(TEXT_ENCODING_TRAPS);
      // The big ones are slow to send: keep them rare.
      if (name.includes('MiB') && !rng.chance(0.2)) body = Buffer.from('{}');
      else body = make(rng);
      label.push(name);
    }
  }
  return { method: route.method, path: route.path(rng), headers, body, label: label.join(' ') };
}

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
