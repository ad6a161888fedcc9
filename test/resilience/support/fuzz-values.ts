/**
 * Fuzz values: the seeded random source every fuzz case is drawn from, and JSON values of any
 * shape (hostile strings, absurd numbers, values nested deeper than JSON.stringify can recurse).
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

export const NASTY_STRINGS = [
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
