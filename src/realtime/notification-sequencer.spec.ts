import { NotificationSequencer, type SequencedFrame } from './notification-sequencer';

function harness(
  gap: (after: number, before: number) => Promise<SequencedFrame[]> = () => Promise.resolve([]),
) {
  const sent: string[] = [];
  const fetches: [number, number][] = [];
  const sequencer = new NotificationSequencer(
    (frame) => sent.push(frame),
    async (after, before) => {
      fetches.push([after, before]);
      return gap(after, before);
    },
    20,
  );
  return { sequencer, sent, fetches };
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('NotificationSequencer', () => {
  it('holds everything until released, then sends what follows the released seq in order', () => {
    const { sequencer, sent } = harness();
    sequencer.hold();
    sequencer.offer(3, 'c');
    sequencer.offer(2, 'b');
    sequencer.offer(1, 'a');
    expect(sent).toEqual([]);
    sequencer.release(1);
    expect(sent).toEqual(['b', 'c']);
  });

  it('sends the frame that follows a notification right after it, in seq order', () => {
    const { sequencer, sent } = harness();
    sequencer.release(0);
    sequencer.offer(2, 'b', 'b-unread');
    sequencer.offer(1, 'a', 'a-unread');
    expect(sent).toEqual(['a', 'a-unread', 'b', 'b-unread']);
  });

  it('reorders frames that arrive out of order and drops duplicates', () => {
    const { sequencer, sent } = harness();
    sequencer.release(0);
    sequencer.offer(2, 'b');
    expect(sent).toEqual([]);
    sequencer.offer(1, 'a');
    sequencer.offer(1, 'a');
    sequencer.offer(2, 'b');
    sequencer.offer(3, 'c');
    expect(sent).toEqual(['a', 'b', 'c']);
    sequencer.dispose();
  });

  it('fetches a gap that does not fill in time and sends it before what waited', async () => {
    const { sequencer, sent, fetches } = harness(() =>
      Promise.resolve([
        { seq: 2, frame: 'b' },
        { seq: 3, frame: 'c' },
      ]),
    );
    sequencer.release(1);
    sequencer.offer(4, 'd');
    await wait(60);
    expect(fetches).toEqual([[1, 4]]);
    expect(sent).toEqual(['b', 'c', 'd']);
  });

  it('moves past a seq that no longer exists instead of stalling', async () => {
    const { sequencer, sent } = harness(() => Promise.resolve([]));
    sequencer.release(0);
    sequencer.offer(2, 'b');
    await wait(60);
    expect(sent).toEqual(['b']);
    expect(sequencer.deliveredSeq).toBe(2);
  });

  it('retries a gap fetch that failed', async () => {
    let calls = 0;
    const { sequencer, sent } = harness(() => {
      calls += 1;
      if (calls === 1) return Promise.reject(new Error('postgres away'));
      return Promise.resolve([{ seq: 1, frame: 'a' }]);
    });
    sequencer.release(0);
    sequencer.offer(2, 'b');
    await wait(120);
    expect(calls).toBe(2);
    expect(sent).toEqual(['a', 'b']);
  });
});
