/**
 * The client loads nothing of Herald's server at run time (a service imports it without Nest,
 * TypeORM or Bull): its value imports are its own files, Node's, `ws`, and the wire protocol,
 * which itself imports only types. Types may come from anywhere in src/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const IMPORT = /^\s*(?:import|export)\s+(type\s+)?(?:[^'"]*?from\s+)?'([^']+)'/gm;
const ALLOWED = [/^\.\/[\w.-]+$/, /^node:/, /^ws$/, /^\.\.\/realtime\/protocol$/];

function valueImports(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(IMPORT)]
    .filter(([, type]) => type === undefined)
    .map(([, , spec]) => spec);
}

describe('what the client loads', () => {
  it('imports only its own files, node:, ws and the protocol as values', () => {
    const files = readdirSync(__dirname).filter(
      (f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'),
    );
    const outside = files.flatMap((f) =>
      valueImports(join(__dirname, f))
        .filter((spec) => !ALLOWED.some((rule) => rule.test(spec)))
        .map((spec) => `${f}: ${spec}`),
    );
    expect(outside).toEqual([]);
  });

  it('the protocol it loads imports types only', () => {
    expect(valueImports(join(__dirname, '..', 'realtime', 'protocol.ts'))).toEqual([]);
  });
});
