/**
 * Summarizes a V8 CPU profile of the server (`npm run bench -- <scenario> --cpu-prof`): self time
 * by package and by function, and inclusive time of Herald's own functions.
 *
 *   npx tsx bench/profile-summary.ts <file.cpuprofile> [--top 25] [--from <us> --to <us>]
 *
 * `--from/--to` (the `cpu.profileFromUs/profileToUs` of the run's JSON line; V8 and the bench
 * both use CLOCK_MONOTONIC) keep only the measured phase, without boot and connects.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

function packageOf(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native)';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const dist = url.indexOf('/dist/src/');
  if (dist >= 0) return `herald:${url.slice(dist + '/dist/src/'.length).split('/')[0]}`;
  return url;
}

function label(frame: ProfileNode['callFrame']): string {
  const where = frame.url
    ? `${frame.url.replace(/^.*node_modules\//, '').replace(/^.*\/dist\//, 'dist/')}:${frame.lineNumber + 1}`
    : '';
  return `${frame.functionName || '(anonymous)'} ${where}`.trim();
}

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      top: { type: 'string', default: '25' },
      from: { type: 'string' },
      to: { type: 'string' },
    },
  });
  const file = positionals[0];
  if (!file)
    throw new Error(
      'usage: tsx bench/profile-summary.ts <file.cpuprofile> [--top N] [--from us --to us]',
    );
  const top = Number(values.top);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const from = values.from ? Number(values.from) : -Infinity;
  const to = values.to ? Number(values.to) : Infinity;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);

  const selfUs = new Map<number, number>();
  let at = profile.startTime;
  let windowUs = 0;
  profile.samples.forEach((id, k) => {
    const delta = profile.timeDeltas[k] ?? 0;
    at += delta;
    if (at < from || at > to) return;
    windowUs += delta;
    selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
  });

  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  const byCaller = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    // Charged to the innermost frame of a package or of Herald: a writev syscall under pg's
    // query() counts for pg, under ws' sendFrame for ws.
    let owner = packageOf(frame.url, frame.functionName);
    for (let node = parent.get(id); owner.startsWith('node:') || owner === '(native)';) {
      if (node === undefined) break;
      const callFrame = byId.get(node)?.callFrame;
      if (callFrame?.url && !callFrame.url.startsWith('node:'))
        owner = packageOf(callFrame.url, '');
      node = parent.get(node);
    }
    byCaller.set(owner, (byCaller.get(owner) ?? 0) + us);
    const key = label(frame);
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    const pkg = packageOf(frame.url, frame.functionName);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
    // Inclusive time of Herald's functions: each counted once per sample stack.
    const seen = new Set<string>();
    for (let node: number | undefined = id; node !== undefined; node = parent.get(node)) {
      const callFrame = byId.get(node)?.callFrame;
      if (!callFrame?.url.includes('/dist/src/')) continue;
      const name = label(callFrame);
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + us);
    }
  }
  const pct = (us: number) => `${((us / windowUs) * 100).toFixed(1).padStart(5)} %`;
  const print = (title: string, rows: Map<string, number>) => {
    console.log(`\n${title}`);
    for (const [key, us] of [...rows].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      console.log(`${pct(us)}  ${(us / 1000).toFixed(0).padStart(7)} ms  ${key}`);
    }
  };
  console.log(
    `window: ${(windowUs / 1e6).toFixed(1)} s of ${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s profiled`,
  );
  print('self time by package', byPackage);
  print(
    'self time charged to the calling package (node internals and syscalls included)',
    byCaller,
  );
  print('self time by function', byFunction);
  print('inclusive time of Herald functions (dist/src)', inclusive);
}

main();
