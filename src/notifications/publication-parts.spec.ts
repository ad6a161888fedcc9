import { inPool, partsOf } from './publication-parts';

describe('partsOf', () => {
  it('cuts the distinct recipients, sorted, into parts of 1,000 with their own claim ids', () => {
    const users = Array.from({ length: 2500 }, (_, i) => `u${String(2499 - i).padStart(4, '0')}`);
    const parts = partsOf('pub-1', [...users, 'u0000']);
    expect(parts.map((p) => [p.claimId, p.recipients.length])).toEqual([
      ['pub-1#0', 1000],
      ['pub-1#1', 1000],
      ['pub-1#2', 500],
    ]);
    expect(parts[0].recipients.slice(0, 2)).toEqual(['u0000', 'u0001']);
    expect(parts.flatMap((p) => p.recipients)).toEqual([...users].sort());
    // A retry with the list in another order makes exactly the same parts.
    expect(partsOf('pub-1', [...users].reverse())).toEqual(parts);
  });
});

describe('inPool', () => {
  /** Tasks that finish when the test says so, recording what runs. */
  function tasks() {
    const running = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
    const started: number[] = [];
    let most = 0;
    const task = (item: number) =>
      new Promise<void>((resolve, reject) => {
        started.push(item);
        running.set(item, {
          resolve: () => {
            running.delete(item);
            resolve();
          },
          reject: (error) => {
            running.delete(item);
            reject(error);
          },
        });
        most = Math.max(most, running.size);
      });
    return { running, started, task, most: () => most };
  }
  const settle = () => new Promise((resolve) => setImmediate(resolve));

  it('starts items in order, never more than the bound at once', async () => {
    const { running, started, task, most } = tasks();
    const done = inPool([0, 1, 2, 3, 4], 2, task);
    for (let finished = 0; finished < 5; finished++) {
      await settle();
      running.get(Math.min(...running.keys()))?.resolve();
    }
    await done;
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(most()).toBe(2);
  });

  it('starts nothing after a failure, and rejects once the running ones have settled', async () => {
    const { running, started, task } = tasks();
    let outcome = 'pending';
    const done = inPool([0, 1, 2, 3], 2, task).catch((error: Error) => {
      outcome = error.message;
    });
    await settle();
    running.get(0)?.reject(new Error('part 0 failed'));
    await settle();
    expect(outcome).toBe('pending'); // part 1 is still being written
    running.get(1)?.resolve();
    await done;
    expect(outcome).toBe('part 0 failed');
    expect(started).toEqual([0, 1]);
  });
});
