import { describe, expect, it } from '@jest/globals';
import { HandleCache } from '../../src/session/handle-cache.js';
import { SecondSighting } from '../../src/session/second-sighting.js';

/** A filter on a clock the test moves. */
function filter(generationMs = 5000) {
  let now = 1_000_000;
  const seen = new SecondSighting({ generationMs, now: () => now });
  return { seen, advance: (ms: number) => (now += ms) };
}

const fp = (handle: string) => HandleCache.fingerprint(handle);

describe('the session cache admission filter', () => {
  it('admits a handle on its second sighting, not its first', () => {
    const { seen } = filter();
    expect(seen.sighted(fp('session-a'))).toBe(false);
    expect(seen.sighted(fp('session-a'))).toBe(true);
    expect(seen.sighted(fp('session-a'))).toBe(true);
  });

  it('remembers a first sighting into the next generation, and forgets it after two', () => {
    const { seen, advance } = filter(5000);
    seen.sighted(fp('session-a'));
    advance(6000);
    expect(seen.sighted(fp('session-a'))).toBe(true);
    seen.sighted(fp('session-b'));
    advance(5000);
    advance(5000);
    expect(seen.sighted(fp('session-b'))).toBe(false);
  });

  it('forgets everything after a pause longer than two generations', () => {
    const { seen, advance } = filter(5000);
    seen.sighted(fp('session-a'));
    advance(10_001);
    expect(seen.sighted(fp('session-a'))).toBe(false);
  });

  it('admits few of 100,000 handles each seen once (false positives stay near 1%)', () => {
    const { seen } = filter();
    let admitted = 0;
    for (let i = 0; i < 100_000; i++) if (seen.sighted(fp(`sid-${i}-${'x'.repeat(30)}`))) admitted++;
    expect(admitted).toBeLessThan(5000);
  });

  it('fingerprints short handles by every character and long ones as the cache keys them', () => {
    expect(fp('a'.repeat(43))).not.toBe(fp(`b${'a'.repeat(42)}`));
    const long = `x.${'y'.repeat(500)}.${'t'.repeat(60)}`;
    expect(fp(long)).toBe(HandleCache.key(long));
  });
});
