import { pino } from 'pino';
import { Writable } from 'node:stream';
import { deferChildren } from './logging';

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
