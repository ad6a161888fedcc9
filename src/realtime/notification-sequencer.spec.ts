import { NotificationSequencer, type SequencedFrame } from './notification-sequencer';

const GAP_TIMEOUT_MS = 20;

function harness(
  gap: (after: number, before: number) => Promise<SequencedFrame[]> = () => Promise.resolve([]),
) {
  const sent: string[] = [];
  const fetches: [number, number][] = [];
  const fetchErrors: unknown[] = [];
  const sequencer = new NotificationSequencer({
    emit: (frame) => sent.push(frame),
    fetchGap: async (after, before) => {
      fetches.push([after, before]);
      return gap(after, before);
    },
    gapTimeoutMs: GAP_TIMEOUT_MS,
    onFetchError: (error) => fetchErrors.push(error),
  });
  return { sequencer, sent, fetches, fetchErrors };
}

describe('NotificationSequencer', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

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

  it('waits the gap timeout for a missing seq before fetching it', async () => {
    const { sequencer, sent, fetches } = harness();
    sequencer.release(0);
    sequencer.offer(2, 'b');
    await jest.advanceTimersByTimeAsync(GAP_TIMEOUT_MS - 1);
    expect(fetches).toEqual([]);
    sequencer.offer(1, 'a'); // arrived in time: no fetch at all
    await jest.advanceTimersByTimeAsync(GAP_TIMEOUT_MS * 5);
    expect(fetches).toEqual([]);
    expect(sent).toEqual(['a', 'b']);
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
    await jest.advanceTimersByTimeAsync(GAP_TIMEOUT_MS);
    expect(fetches).toEqual([[1, 4]]);
    expect(sent).toEqual(['b', 'c', 'd']);
  });

  it('moves past a seq that no longer exists instead of stalling', async () => {
    const { sequencer, sent } = harness(() => Promise.resolve([]));
    sequencer.release(0);
    sequencer.offer(2, 'b');
    await jest.advanceTimersByTimeAsync(GAP_TIMEOUT_MS);
    expect(sent).toEqual(['b']);
    expect(sequencer.deliveredSeq).toBe(2);
  });

  it('retries a gap fetch that failed after another gap timeout', async () => {
    const failure = new Error('postgres away');
    let calls = 0;
    const { sequencer, sent, fetchErrors } = harness(() => {
      calls += 1;
      if (calls === 1) return Promise.reject(failure);
      return Promise.resolve([{ seq: 1, frame: 'a' }]);
    });
    sequencer.release(0);
    sequencer.offer(2, 'b');
    await jest.advanceTimersByTimeAsync(GAP_TIMEOUT_MS);
    expect(calls).toBe(1);
    expect(fetchErrors).toEqual([failure]);
    expect(sent).toEqual([]);
    await jest.advanceTimersByTimeAsync(GAP_TIMEOUT_MS);
    expect(calls).toBe(2);
    expect(sent).toEqual(['a', 'b']);
  });

  it('keeps a gap fetched while it was held from overriding the new hold', async () => {
    let answer!: (rows: SequencedFrame[]) => void;
    const { sequencer, sent } = harness(
      () => new Promise<SequencedFrame[]>((resolve) => (answer = resolve)),
    );
    sequencer.release(0);
    sequencer.offer(2, 'b');
    await jest.advanceTimersByTimeAsync(GAP_TIMEOUT_MS);
    sequencer.hold(); // a resume took over while the fetch was out
    answer([{ seq: 1, frame: 'a' }]);
    await jest.advanceTimersByTimeAsync(0);
    expect(sent).toEqual([]);
    sequencer.release(2); // the replay sent up to 2
    expect(sent).toEqual([]);
    expect(sequencer.deliveredSeq).toBe(2);
  });
});
