/**
 * The feature folders depend on each other one way: notifications pushes through realtime,
 * realtime counts through metrics, never back. Realtime reads the inbox through its own port
 * (inbox.port.ts) and names only the shapes and limits of notifications (`import type`, and the
 * input limits: leaf files that import nothing).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, normalize, relative } from 'node:path';

const SRC = join(__dirname, '..');
const IMPORT = /^\s*(?:import|export)\s+(type\s+)?[^'"]*?from\s+'(\.[^']+)'/gm;

/** Every relative import of the product files in `folder`: [target folder-relative path, type only]. */
function importsOf(folder: string): { file: string; target: string; typeOnly: boolean }[] {
  const found: { file: string; target: string; typeOnly: boolean }[] = [];
  for (const entry of readdirSync(join(SRC, folder), { recursive: true, encoding: 'utf8' })) {
    if (!entry.endsWith('.ts') || entry.endsWith('.spec.ts')) continue;
    const file = join(folder, entry);
    for (const [, type, spec] of readFileSync(join(SRC, file), 'utf8').matchAll(IMPORT)) {
      const target = relative(SRC, normalize(join(SRC, file, '..', spec)));
      found.push({ file, target, typeOnly: type !== undefined });
    }
  }
  return found;
}

describe('folder dependencies', () => {
  it('metrics imports nothing of realtime', () => {
    expect(importsOf('metrics').filter((i) => i.target.startsWith('realtime/'))).toEqual([]);
  });

  it('realtime imports no code of notifications but its input limits', () => {
    const code = importsOf('realtime').filter(
      (i) => i.target.startsWith('notifications/') && !i.typeOnly,
    );
    expect(code.map((i) => i.target)).toEqual(['notifications/dto/limits']);
    expect(readFileSync(join(SRC, 'notifications/dto/limits.ts'), 'utf8')).not.toMatch(/import/);
  });
});
