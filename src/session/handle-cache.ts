import { LRUCache } from 'lru-cache';

/** Handles up to this length are their own key; longer ones (sealed cookie values) are keyed by a fingerprint. */
const SHORT = 64;
/** Characters of a long value's tail in its key, here and in `JoinedChunks` (for a JWE: the GCM tag and the ciphertext's end). */
export const TAIL = 48;

/** Bounds of a handle cache. */
export interface HandleCacheOptions<V> {
  /** Most entries. */
  readonly max: number;
  /** Most bytes, as `sizeOf` counts them. */
  readonly maxSize: number;
  /** An entry's size: the handle is counted too, as it may be as large as the value. */
  readonly sizeOf: (value: V, handle: string) => number;
  /** Milliseconds an entry lives; omitted: until evicted. */
  readonly ttlMs?: number | undefined;
}

/**
 * An LRU cache keyed by a session handle, which may be a sealed cookie value of 2-20 KB.
 * A Map lookup hashes its whole key, and a request's cookie is a new string each time,
 * so keying by the value cost a full pass over it on every check (the largest single
 * cost of a cookie-store check, docs/performance.md). Long handles are keyed instead by
 * a hash of their length and tail; an entry is a hit only when its stored handle equals the one
 * asked for, character for character, so two handles sharing a fingerprint never share
 * an entry's value: the later one merely evicts the earlier.
 */
export class HandleCache<V> {
  private readonly lru: LRUCache<string | number, { readonly handle: string; readonly value: V }>;

  constructor(options: HandleCacheOptions<V>) {
    this.lru = new LRUCache({
      max: Math.max(1, options.max),
      maxSize: Math.max(1, options.maxSize),
      sizeCalculation: (entry) => Math.max(1, options.sizeOf(entry.value, entry.handle)),
      ...(options.ttlMs !== undefined ? { ttl: options.ttlMs, ttlAutopurge: false } : {}),
    });
  }

  /** The key of a handle: itself when short, else a 32-bit FNV-1a hash of its length and tail (no new string). */
  static key(handle: string): string | number {
    return handle.length <= SHORT ? handle : fnv1a(0x811c9dc5 ^ handle.length, handle, handle.length - TAIL);
  }

  /** A 32-bit hash of any handle: the whole of a short one, the length and tail of a long one (as `key`). */
  static fingerprint(handle: string): number {
    return handle.length <= SHORT ? fnv1a(0x811c9dc5, handle, 0) : (HandleCache.key(handle) as number);
  }

  /** The value stored for exactly this handle, if any. */
  get(handle: string): V | undefined {
    const entry = this.lru.get(HandleCache.key(handle));
    return entry?.handle === handle ? entry.value : undefined;
  }

  /** Stores `value` for this handle, replacing (evicting) any entry with the same fingerprint. */
  set(handle: string, value: V): void {
    this.lru.set(HandleCache.key(handle), { handle, value });
  }

  /** Forgets this handle's entry (and only an entry for exactly this handle). */
  delete(handle: string): void {
    const key = HandleCache.key(handle);
    if (this.lru.peek(key)?.handle === handle) this.lru.delete(key);
  }

  /** Forgets every entry. */
  clear(): void {
    this.lru.clear();
  }

  /** Entries held. */
  get size(): number {
    return this.lru.size;
  }

  /** Bytes held, as `sizeOf` counted them. */
  get calculatedSize(): number {
    return this.lru.calculatedSize;
  }
}

/** 32-bit FNV-1a from `seed` over the characters of `text` from `from` on (no new string). */
export function fnv1a(seed: number, text: string, from: number): number {
  let hash = seed;
  for (let i = from; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}
