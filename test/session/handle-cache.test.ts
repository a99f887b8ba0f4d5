import { describe, expect, it } from '@jest/globals';
import { HandleCache } from '../../src/session/handle-cache.js';

const sized = <V>(max = 100, maxSize = 1_000_000) =>
  new HandleCache<V>({ max, maxSize, sizeOf: (_v, handle) => handle.length + 10 });

/** A long handle like a sealed cookie value; `head` varies only its beginning. */
const longHandle = (head: string, tail = 'T'.repeat(60)) => `${head}.${'x'.repeat(2000)}.${tail}`;

describe('the session handle cache', () => {
  it('finds a long handle again from another string with the same characters', () => {
    const cache = sized<string>();
    cache.set(longHandle('a'), 'alice');
    // A request's cookie is a new string each time (here built from pieces).
    const again = ['a', '.', 'x'.repeat(2000), '.', 'T'.repeat(60)].join('');
    expect(cache.get(again)).toBe('alice');
  });

  it('never answers for a handle that only shares the fingerprint (same length and tail)', () => {
    const cache = sized<string>();
    const victim = longHandle('a');
    const forged = longHandle('b');
    expect(HandleCache.key(forged)).toBe(HandleCache.key(victim));
    cache.set(victim, 'alice');
    expect(cache.get(forged)).toBeUndefined();
    expect(cache.get(victim)).toBe('alice');
  });

  it('lets a handle sharing the fingerprint only evict the other entry, never take its value', () => {
    const cache = sized<string>();
    const victim = longHandle('a');
    const other = longHandle('b');
    cache.set(victim, 'alice');
    cache.set(other, 'mallory');
    expect(cache.get(victim)).toBeUndefined();
    expect(cache.get(other)).toBe('mallory');
  });

  it('deletes only the entry of exactly that handle', () => {
    const cache = sized<string>();
    const victim = longHandle('a');
    cache.set(victim, 'alice');
    cache.delete(longHandle('b'));
    expect(cache.get(victim)).toBe('alice');
    cache.delete(victim);
    expect(cache.get(victim)).toBeUndefined();
  });

  it('keys short handles (server session ids) by themselves', () => {
    const cache = sized<string>();
    cache.set('id-1', 'one');
    cache.set('id-2', 'two');
    expect(HandleCache.key('id-1')).toBe('id-1');
    expect([cache.get('id-1'), cache.get('id-2'), cache.get('id-3')]).toEqual(['one', 'two', undefined]);
  });

  it('stays within its byte bound, counting the handle', () => {
    const cache = sized<string>(1000, 25_000);
    for (let i = 0; i < 100; i++) cache.set(longHandle(String(i)), 'v');
    expect(cache.calculatedSize).toBeLessThanOrEqual(25_000);
    expect(cache.size).toBeLessThan(100);
    expect(cache.get(longHandle('99'))).toBe('v');
  });

  it('expires entries after their time to live', async () => {
    const cache = new HandleCache<string>({ max: 10, maxSize: 10_000, sizeOf: () => 1, ttlMs: 30 });
    cache.set('id', 'v');
    expect(cache.get('id')).toBe('v');
    await new Promise((r) => setTimeout(r, 60));
    expect(cache.get('id')).toBeUndefined();
  });
});
