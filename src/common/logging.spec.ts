import { pino } from 'pino';
import { Writable } from 'node:stream';
import { deferChildren, redactUrl } from './logging';

function sink(lines: string[]) {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
}

describe('deferChildren', () => {
  it('serializes a child’s bindings only when a line is written through it', () => {
    const lines: string[] = [];
    const serialized: unknown[] = [];
    const root = deferChildren(
      pino(
        {
          level: 'warn',
          serializers: { req: (req: { url: string }) => (serialized.push(req), req) },
        },
        sink(lines),
      ),
    );
    const child = root.child({ req: { url: '/v1/notifications' } });
    child.info('request completed'); // below the level: nothing made, nothing written
    child.debug({ a: 1 }, 'nor this');
    expect(serialized).toHaveLength(0);
    expect(lines).toHaveLength(0);

    child.warn('request failed');
    expect(serialized).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({
      level: 40,
      req: { url: '/v1/notifications' },
      msg: 'request failed',
    });
    child.error('again'); // the child is made once
    expect(serialized).toHaveLength(1);
    expect(lines).toHaveLength(2);
  });

  it('behaves as the real child for anything else asked of it', () => {
    const lines: string[] = [];
    const root = deferChildren(pino({ level: 'info' }, sink(lines)));
    const child = root.child({ requestId: 'r-1' });
    expect(child.level).toBe('info');
    expect(child.bindings()).toEqual({ requestId: 'r-1' });
    child.child({ step: 2 }).info('nested');
    expect(JSON.parse(lines[0])).toMatchObject({ requestId: 'r-1', step: 2, msg: 'nested' });
  });
});

describe('redactUrl', () => {
  it.each([
    ['/ws?token=abc.def.ghi', '/ws?token=[REDACTED]'],
    ['/ws?a=1&token=abc&b=2', '/ws?a=1&token=[REDACTED]&b=2'],
    ['/ws?TOKEN=abc', '/ws?TOKEN=[REDACTED]'],
    ['/ws?access_token=abc#frag', '/ws?access_token=[REDACTED]#frag'],
    // percent-encoded names, as URLSearchParams (and so the handshake) decodes them
    ['/ws?%74oken=abc', '/ws?%74oken=[REDACTED]'],
    ['/ws?%74%6F%6B%65%6E=abc', '/ws?%74%6F%6B%65%6E=[REDACTED]'],
    ['/ws?access%5Ftoken=abc', '/ws?access%5Ftoken=[REDACTED]'],
    ['/ws?x=1&t%6fken=abc&token=def', '/ws?x=1&t%6fken=[REDACTED]&token=[REDACTED]'],
    ['/ws?token', '/ws?token=[REDACTED]'],
  ])('masks %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });

  it('masks every value the handshake would read as the token', () => {
    for (const url of ['/ws?%74oken=SECRET', '/ws?a=b&%54%4fKEN=SECRET', '/ws?token=SECRET']) {
      expect(redactUrl(url)).not.toContain('SECRET');
    }
  });

  it('leaves other URLs as they are', () => {
    for (const url of ['/v1/notifications', '/v1/x?tokens=1&mytoken=2', '/ws?a=%zz', '']) {
      expect(redactUrl(url)).toBe(url);
    }
    expect(redactUrl(undefined)).toBe('');
  });
});
