/**
 * Group commit for calls whose cost is per call rather than per item (a query, a Redis round
 * trip): a call made while none is running runs at once, alone; calls made while a group is
 * running wait for it and then run together as the next group (at most `maxGroup` calls). So
 * nothing waits when it is quiet, and under load groups grow by themselves, exactly when the
 * per-call cost matters. Each caller gets its own result, or the group's error.
 *
 * Written here because DataLoader, the usual batcher, groups the calls of one event-loop tick:
 * push jobs running side by side reach their lookups ticks apart and would never meet.
 */
export class GroupedCalls<In, Out> {
  private queued: { input: In; resolve: (out: Out) => void; reject: (error: unknown) => void }[] =
    [];
  private running = false;

  /** `runGroup` answers one output per input, in order. */
  constructor(
    private readonly runGroup: (inputs: In[]) => Promise<Out[]>,
    private readonly maxGroup: number,
  ) {}

  call(input: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.queued.push({ input, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (this.queued.length > 0) {
      const group = this.queued.splice(0, this.maxGroup);
      try {
        const outs = await this.runGroup(group.map((g) => g.input));
        group.forEach((g, k) => g.resolve(outs[k]));
      } catch (error) {
        for (const g of group) g.reject(error);
      }
    }
    this.running = false;
  }
}
