/**
 * Fuzz HTTP cases: a route of Herald's API with its authorization usually right and sometimes
 * mangled, odd headers, and a body that is a mutated valid publish, random JSON or bytes that
 * trap a parser (bad encodings, truncation, depth, size).
 */
import { randomUUID } from 'node:crypto';
import { jsonValue, NASTY_STRINGS, nested, toJson, type Rng } from './fuzz-values';

/** A valid publish body, as a starting point for mutations. */
function validPublish(rng: Rng): Record<string, unknown> {
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
