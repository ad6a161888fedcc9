import { candidatePatterns, isPattern } from './preference-patterns';

describe('preference patterns', () => {
  it('lists the exact type, then each prefix from the longest', () => {
    expect(candidatePatterns('a.b.c')).toEqual(['a.b.c', 'a.b.*', 'a.*']);
    expect(candidatePatterns('plain')).toEqual(['plain']);
    expect(candidatePatterns('a..b')).toEqual(['a..b', 'a..*', 'a.*']);
    expect(candidatePatterns('.x')).toEqual(['.x']);
  });

  it('accepts exact types and `prefix.*`, nothing else', () => {
    expect(isPattern('task.due')).toBe(true);
    expect(isPattern('marketing.*')).toBe(true);
    expect(isPattern('*')).toBe(false);
    expect(isPattern('.*')).toBe(false);
    expect(isPattern('a*')).toBe(false);
    expect(isPattern('a.*.b')).toBe(false);
    expect(isPattern('')).toBe(false);
    expect(isPattern('x'.repeat(101))).toBe(false);
    expect(isPattern(`${'x'.repeat(100)}.*`)).toBe(true);
  });
});
