/**
 * The Dockerfile, checked without a Docker engine: its stages parsed and cross-checked against
 * the repo (build toolchain left behind, non-root user, healthcheck, the built entry file) and
 * against .dockerignore (every COPY source in the context, secrets and build output out of it).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  base: string;
  name: string;
  steps: Instruction[];
}

function dockerfileStages(text: string): Stage[] {
  const logical = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of logical) {
    const [, op, args] = /^(\S+)\s+(.*)$/.exec(line) ?? [];
    if (!op) continue;
    if (op.toUpperCase() === 'FROM') {
      const [, base, name] = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args) ?? [];
      stages.push({ base, name: name ?? String(stages.length), steps: [] });
    } else stages.at(-1)?.steps.push({ op: op.toUpperCase(), args });
  }
  return stages;
}

/** Whether .dockerignore lets a top-level entry into the build context (last match wins). */
function inContext(entry: string): boolean {
  let included = true;
  for (const raw of read('.dockerignore').split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const negated = line.startsWith('!');
    const pattern = (negated ? line.slice(1) : line).replace(/\/$/, '');
    const regex = new RegExp(
      `^${pattern
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*\*\/?/g, '.*')
        .replace(/(?<!\.)\*/g, '[^/]*')}$`,
    );
    if (regex.test(entry)) included = negated;
  }
  return included;
}

describe('Dockerfile', () => {
  const stages = dockerfileStages(read('Dockerfile'));
  const runtime = stages.at(-1)!;
  const steps = (stage: Stage, op: string) => stage.steps.filter((s) => s.op === op);

  it('builds in stages and runs from a final stage without the build toolchain', () => {
    expect(stages.map((s) => s.name)).toEqual(['build', 'deps', 'runtime']);
    expect(steps(stages[0], 'RUN').map((s) => s.args)).toContain('npm run build');
    expect(steps(stages[1], 'RUN')[0].args).toContain('npm ci --omit=dev');
    expect(steps(runtime, 'RUN')).toEqual([]); // nothing is installed or compiled there
    const fromStages = steps(runtime, 'COPY')
      .map((s) => /--from=(\S+)/.exec(s.args)?.[1])
      .filter(Boolean);
    expect(fromStages.sort()).toEqual(['build', 'deps']);
  });

  it('runs as a non-root user, with a HEALTHCHECK on /health/live, the built entry file', () => {
    const users = steps(runtime, 'USER').map((s) => s.args);
    expect(users).toHaveLength(1);
    expect(['root', '0']).not.toContain(users[0].split(':')[0]);
    const healthcheck = steps(runtime, 'HEALTHCHECK').map((s) => s.args);
    expect(healthcheck).toHaveLength(1);
    expect(healthcheck[0]).toContain('/health/live');
    // where `nest build` puts the entry file: outDir / entryFile (paths kept under rootDir ".")
    const cmd = JSON.parse(steps(runtime, 'CMD')[0].args) as string[];
    const nest = JSON.parse(read('nest-cli.json')) as { entryFile: string };
    const { compilerOptions } = JSON.parse(read('tsconfig.json')) as {
      compilerOptions: { outDir: string; rootDir: string };
    };
    expect(compilerOptions.rootDir).toBe('.');
    const entry = `${compilerOptions.outDir.replace(/^\.\//, '')}/${nest.entryFile}.js`;
    // The image runs Node as `npm run start:prod` does, with the same flags (the bench too).
    const { scripts } = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    const startProd = scripts['start:prod'].split(/\s+/);
    expect(startProd.at(-1)).toBe(entry);
    expect(startProd).toContain('--max-semi-space-size=16');
    expect(cmd).toEqual(startProd);
    expect(steps(runtime, 'EXPOSE').map((s) => s.args)).toEqual(['3000']);
    expect(
      steps(runtime, 'ENV')
        .map((s) => s.args)
        .join(' '),
    ).toContain('NODE_ENV=production');
  });

  it('copies only files that exist and that .dockerignore lets into the context', () => {
    const sources = stages
      .flatMap((stage) => steps(stage, 'COPY'))
      .filter((s) => !s.args.includes('--from='))
      .flatMap((s) =>
        s.args
          .split(/\s+/)
          .filter((a) => !a.startsWith('--'))
          .slice(0, -1),
      );
    expect(sources.length).toBeGreaterThan(2);
    for (const source of sources) {
      expect([source, existsSync(join(ROOT, source))]).toEqual([source, true]);
      if (source !== '.') expect([source, inContext(source.split('/')[0])]).toEqual([source, true]);
    }
    for (const entry of [
      'src',
      'migrations',
      'tsconfig.json',
      'tsconfig.build.json',
      'nest-cli.json',
    ]) {
      expect([entry, inContext(entry)]).toEqual([entry, true]);
    }
    for (const secret of ['.env', '.git', 'node_modules', 'dist', 'test']) {
      expect([secret, inContext(secret)]).toEqual([secret, false]);
    }
  });
});
