import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { JoinedChunks } from '../../src/session/joined-chunks.js';

const memo = (max = 16, maxChars = 1_000_000) => new JoinedChunks({ max, maxChars });
const joinOf = (j: JoinedChunks, chunks: string[]) =>
  j.join(
    chunks,
    chunks.reduce((n, c) => n + c.length, 0),
  );
/** Chunks like a split JWE's: `middle` varies one inner chunk only, the last chunk is shared. */
const split = (middle: string) => ['h'.repeat(3800), middle.padEnd(3800, 'm'), 'tail'.repeat(30)];

describe('joining a split cookie value', () => {
  it('gives the concatenation, whether or not the value was seen before', () => {
    const j = memo();
    const chunks = split('a');
    expect(joinOf(j, chunks)).toBe(chunks.join(''));
    // The same characters again, from new strings (a new request's cookies).
    expect(
      joinOf(
        j,
        chunks.map((c) => c.split('').join('')),
      ),
    ).toBe(chunks.join(''));
    expect(j.size).toBe(1);
  });

  it('never answers with another value that shares its length and last chunk', () => {
    const j = memo();
    const victim = split('a');
    const forged = split('b');
    joinOf(j, victim);
    expect(joinOf(j, forged)).toBe(forged.join(''));
    expect(joinOf(j, victim)).toBe(victim.join(''));
  });

  it('tells apart values that share the whole text but are split differently', () => {
    const j = memo();
    const tail = 'z'.repeat(60);
    expect(joinOf(j, ['ab', `c${tail}`])).toBe(`abc${tail}`);
    expect(joinOf(j, ['a', `bc${tail}`])).toBe(`abc${tail}`);
    expect(joinOf(j, ['ab', `d${tail}`])).toBe(`abd${tail}`);
  });

  it('joins one chunk, or a last chunk too short to key, without keeping anything', () => {
    const j = memo();
    expect(joinOf(j, ['only'])).toBe('only');
    expect(joinOf(j, ['x'.repeat(3800), 'short'])).toBe(`${'x'.repeat(3800)}short`);
    expect(j.size).toBe(0);
  });

  it('stays within its bounds on a flood of distinct values', () => {
    const j = memo(8, 20_000);
    for (let i = 0; i < 100; i++) joinOf(j, split(String(i)));
    expect(j.size).toBeLessThanOrEqual(2); // 11,520 characters each
  });

  it('always equals the plain concatenation (property)', () => {
    const j = memo(4);
    const chunk = fc.oneof(fc.constantFrom('', 'a', 'T'.repeat(48), 'T'.repeat(50)), fc.string({ maxLength: 80 }));
    fc.assert(
      fc.property(fc.array(fc.array(chunk, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 8 }), (seq) => {
        for (const chunks of seq) if (joinOf(j, chunks) !== chunks.join('')) return false;
        return true;
      }),
      { numRuns: 500 },
    );
  });
});
