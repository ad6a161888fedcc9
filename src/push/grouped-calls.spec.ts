import { GroupedCalls } from './grouped-calls';

/** A runGroup whose groups finish only when the test says so. */
function controlled() {
  const groups: { inputs: number[]; finish: (error?: Error) => void }[] = [];
  const started: (() => void)[] = [];
  const runGroup = (inputs: number[]) =>
    new Promise<string[]>((resolve, reject) => {
      groups.push({
        inputs,
        finish: (error) => (error ? reject(error) : resolve(inputs.map((n) => `out ${n}`))),
      });
      started.shift()?.();
    });
  const nextGroupStarted = () => new Promise<void>((resolve) => started.push(resolve));
  return { groups, runGroup, nextGroupStarted };
}

describe('GroupedCalls', () => {
  it('runs a call alone when none is running, and the calls made meanwhile as one group', async () => {
    const { groups, runGroup, nextGroupStarted } = controlled();
    const calls = new GroupedCalls(runGroup, 10);
    const first = calls.call(1);
    expect(groups.map((g) => g.inputs)).toEqual([[1]]);
    const second = calls.call(2);
    const third = calls.call(3);
    const started = nextGroupStarted();
    groups[0].finish();
    await expect(first).resolves.toBe('out 1');
    await started;
    expect(groups.map((g) => g.inputs)).toEqual([[1], [2, 3]]);
    groups[1].finish();
    await expect(Promise.all([second, third])).resolves.toEqual(['out 2', 'out 3']);
  });

  it('caps a group at maxGroup, the rest going in the groups after it', async () => {
    const { groups, runGroup, nextGroupStarted } = controlled();
    const calls = new GroupedCalls(runGroup, 2);
    const all = [calls.call(0), calls.call(1), calls.call(2), calls.call(3)];
    for (let g = 0; g < 2; g++) {
      const started = nextGroupStarted();
      groups[g].finish();
      await started;
    }
    groups[2].finish();
    await expect(Promise.all(all)).resolves.toEqual(['out 0', 'out 1', 'out 2', 'out 3']);
    expect(groups.map((g) => g.inputs)).toEqual([[0], [1, 2], [3]]);
  });

  it('rejects every call of a failed group with its error, and goes on with the next', async () => {
    const { groups, runGroup, nextGroupStarted } = controlled();
    const calls = new GroupedCalls(runGroup, 10);
    const first = calls.call(1);
    const second = calls.call(2);
    const third = calls.call(3);
    const started = nextGroupStarted();
    groups[0].finish();
    await started;
    groups[1].finish(new Error('redis is down'));
    await expect(first).resolves.toBe('out 1');
    await expect(second).rejects.toThrow('redis is down');
    await expect(third).rejects.toThrow('redis is down');
    const later = calls.call(4);
    expect(groups.map((g) => g.inputs)).toEqual([[1], [2, 3], [4]]);
    groups[2].finish();
    await expect(later).resolves.toBe('out 4');
  });
});
