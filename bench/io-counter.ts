/**
 * Profiling aid, preloaded into the server by `--count-io` (compiled to CommonJS, node --require):
 * counts every SQL statement Herald sends to Postgres and every Redis command (Bull's Lua scripts
 * by name), and writes the running totals to $BENCH_IO_FILE. The bench diffs two snapshots to
 * get statements and round trips per notification. Not loaded in normal runs.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

interface Countable {
  prototype: Record<string, unknown>;
}

const counts: Record<string, number> = {};
const count = (key: string) => (counts[key] = (counts[key] ?? 0) + 1);
const file = process.env.BENCH_IO_FILE;
const load = createRequire(join(process.cwd(), 'package.json'));

function wrap(target: Countable, method: string, before: (args: unknown[]) => void): void {
  const original = target.prototype[method] as (...args: unknown[]) => unknown;
  target.prototype[method] = function (this: unknown, ...args: unknown[]) {
    before(args);
    return original.apply(this, args);
  };
}

const pg = load('pg') as { Client: Countable };
wrap(pg.Client, 'query', ([config]) => {
  const text = typeof config === 'string' ? config : (config as { text?: string })?.text;
  if (text) count(`pg ${text.replace(/\s+/g, ' ').trim().slice(0, 90)}`);
});

const scripts = new Map<string, string>();
const { Redis, Pipeline } = load('ioredis') as { Redis: Countable; Pipeline: Countable };
wrap(Redis, 'defineCommand', ([name, definition]) => {
  const lua = (definition as { lua: string }).lua;
  scripts.set(createHash('sha1').update(lua).digest('hex'), String(name));
});
wrap(Redis, 'sendCommand', ([command, stream]) => {
  const { name, args } = command as { name: string; args: unknown[] };
  const label = name === 'evalsha' ? `evalsha:${scripts.get(String(args[0])) ?? '?'}` : name;
  count(`redis ${label}${stream ? ' (pipelined)' : ''}`);
});
wrap(Pipeline, 'exec', () => count('redis <pipeline/multi exec>'));

if (file) {
  // One file per process (io-counts-<pid>.json): the bench sums them over the run's instances.
  const own = file.replace(/\.json$/, `-${process.pid}.json`);
  const flush = () => writeFileSync(own, JSON.stringify(counts));
  setInterval(flush, 250).unref();
  process.on('exit', flush);
}
