import { isSeq, readInput, resumeInput } from './client-input';

const ID = '6f1c1e4e-6d2b-4c7a-9a57-0a4a0b1f2c3d';

describe('client input', () => {
  it('takes a seq from 0 to the largest Postgres integer, and nothing else', () => {
    for (const good of [0, 1, 2 ** 31 - 1]) expect(isSeq(good)).toBe(true);
    for (const bad of [-1, 1.5, 2 ** 31, NaN, Infinity, '1', null, undefined]) {
      expect(isSeq(bad)).toBe(false);
    }
  });

  it('checks resume data', () => {
    expect(resumeInput({ afterSeq: 7 })).toEqual({ afterSeq: 7 });
    for (const bad of [{}, { afterSeq: -1 }, { afterSeq: '7' }, [7], null, 7]) {
      expect(resumeInput(bad)).toBeNull();
    }
  });

  it('checks read data: 1 to 1000 uuids', () => {
    expect(readInput({ ids: [ID] })).toEqual({ ids: [ID] });
    expect(readInput({ ids: Array<string>(1000).fill(ID) })?.ids).toHaveLength(1000);
    for (const bad of [
      {},
      { ids: [] },
      { ids: Array<string>(1001).fill(ID) },
      { ids: ['not-a-uuid'] },
      { ids: [ID, 7] },
      { ids: ID },
      null,
    ]) {
      expect(readInput(bad)).toBeNull();
    }
  });
});
