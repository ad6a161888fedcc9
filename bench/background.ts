import { readFileSync } from 'node:fs';

/**
 * How the bench runs what stands in for other machines (the push instance, the push service)
 * on the same cores: `nice -n 19` by default; `BENCH_BACKGROUND=idle` runs them under the
 * SCHED_IDLE policy (`chrt --idle 0`), which runs them only when no normal task wants a core,
 * so that a woken socket-path task never waits behind them. Either way the command execs the
 * program, so the child's pid is the program's own (CPU readings).
 */
export const backgroundPolicy = (): 'idle' | 'nice 19' =>
  process.env.BENCH_BACKGROUND === 'idle' ? 'idle' : 'nice 19';

/** Whether the kernel schedules by session groups (null: not a Linux that says). */
export function autogroupEnabled(): boolean | null {
  try {
    return readFileSync('/proc/sys/kernel/sched_autogroup_enabled', 'utf8').trim() === '1';
  } catch {
    return null;
  }
}

export function inBackground(command: string[]): string[] {
  return backgroundPolicy() === 'idle'
    ? ['chrt', '--idle', '0', ...command]
    : ['nice', '-n', '19', ...command];
}
