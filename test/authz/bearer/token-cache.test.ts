import { describe, expect, it } from '@jest/globals';
import { TokenCache } from '../../../src/authz/bearer/token-cache.js';

function clock(start = 1_000_000) {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

describe('TokenCache', () => {
  it('keeps a result at most 60 s, even for a token valid much longer', () => {
    const c = clock();
    const cache = new TokenCache<{ v: number }>({ now: c.now });
    cache.set('tok', { v: 1 }, c.now() + 3_600_000);
    c.advance(59_999);
    expect(cache.get('tok')).toEqual({ v: 1 });
    c.advance(1);
    expect(cache.get('tok')).toBeUndefined();
  });

  it('never outlives the token exp', () => {
    const c = clock();
    const cache = new TokenCache<{ v: number }>({ now: c.now });
    cache.set('tok', { v: 1 }, c.now() + 5_000);
    c.advance(4_999);
    expect(cache.get('tok')).toBeDefined();
    c.advance(1);
    expect(cache.get('tok')).toBeUndefined();
  });

  it('does not keep a token already past exp (accepted within the clock skew)', () => {
    const c = clock();
    const cache = new TokenCache<{ v: number }>({ now: c.now });
    cache.set('tok', { v: 1 }, c.now() - 1);
    expect(cache.get('tok')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('keys by the SHA-256 of the token', () => {
    expect(TokenCache.keyOf('abc')).toBe('ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0');
    const cache = new TokenCache<{ v: number }>();
    cache.set('a.b.c', { v: 1 }, Date.now() + 10_000);
    expect(cache.get('a.b.d')).toBeUndefined();
  });

  it('stays within its byte budget and entry count, dropping the least recently used', () => {
    const cache = new TokenCache<{ blob: string }>({ maxBytes: 20_000, maxEntries: 1000 });
    for (let i = 0; i < 500; i += 1) cache.set(`token-${i}`, { blob: 'x'.repeat(500) }, Date.now() + 30_000);
    expect(cache.bytes).toBeLessThanOrEqual(20_000);
    expect(cache.get('token-499')).toBeDefined();
    expect(cache.get('token-0')).toBeUndefined();
    const few = new TokenCache<{ v: number }>({ maxEntries: 3 });
    for (let i = 0; i < 10; i += 1) few.set(`t${i}`, { v: i }, Date.now() + 30_000);
    expect(few.size).toBe(3);
  });

  it('skips a value larger than the whole budget; maxEntries 0 turns caching off', () => {
    const cache = new TokenCache<{ blob: string }>({ maxBytes: 1_000 });
    cache.set('big', { blob: 'x'.repeat(5_000) }, Date.now() + 30_000);
    expect(cache.get('big')).toBeUndefined();
    const off = new TokenCache<{ v: number }>({ maxEntries: 0 });
    off.set('t', { v: 1 }, Date.now() + 30_000);
    expect(off.get('t')).toBeUndefined();
  });
});
