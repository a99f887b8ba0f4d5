import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';

/** Longest time a checked token's result is reused, in ms. */
export const TOKEN_CACHE_MAX_TTL_MS = 60_000;

/** Bounds of the token cache. */
export interface TokenCacheOptions {
  /** Entries kept at most. Default 10000; 0 turns the cache off. */
  readonly maxEntries?: number;
  /** Bytes kept at most (key, value and bookkeeping, estimated). Default 8 MiB. */
  readonly maxBytes?: number;
  /** Clock, for tests. Default `Date.now`. */
  readonly now?: () => number;
}

interface Entry<V> {
  readonly value: V;
  readonly expiresAt: number;
}

/** Rough size of a cached value: its JSON text plus a fixed per-entry overhead. */
function sizeOf(value: unknown): number {
  return 256 + (JSON.stringify(value)?.length ?? 0) * 2;
}

/**
 * Results of checked bearer tokens, keyed by the SHA-256 of the token (the token
 * itself is never kept), each until `min(exp, now + 60 s)`: a result never outlives
 * its token. Bounded in entries and in bytes; least recently used go first.
 */
export class TokenCache<V extends object> {
  private readonly lru: LRUCache<string, Entry<V>> | undefined;
  private readonly now: () => number;

  constructor(options: TokenCacheOptions = {}) {
    const max = options.maxEntries ?? 10_000;
    this.now = options.now ?? Date.now;
    this.lru =
      max > 0
        ? new LRUCache<string, Entry<V>>({
            max,
            maxSize: options.maxBytes ?? 8 * 1024 * 1024,
            sizeCalculation: (e) => sizeOf(e.value),
          })
        : undefined;
  }

  /** The cache key of a token: its SHA-256, base64url. */
  static keyOf(token: string): string {
    return createHash('sha256').update(token).digest('base64url');
  }

  /** The cached result for a token, or undefined when absent or expired. */
  get(token: string): V | undefined {
    if (this.lru === undefined) return undefined;
    const key = TokenCache.keyOf(token);
    const entry = this.lru.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.lru.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** Keeps a result until `min(tokenExpiresAt, now + 60 s)`; a token already past `exp` is not kept. */
  set(token: string, value: V, tokenExpiresAt: number): void {
    if (this.lru === undefined) return;
    const expiresAt = Math.min(tokenExpiresAt, this.now() + TOKEN_CACHE_MAX_TTL_MS);
    if (expiresAt <= this.now() || sizeOf(value) > this.lru.maxSize) return;
    this.lru.set(TokenCache.keyOf(token), { value, expiresAt });
  }

  /** Entries held (expired ones may still count until read). */
  get size(): number {
    return this.lru?.size ?? 0;
  }

  /** Estimated bytes held. */
  get bytes(): number {
    return this.lru?.calculatedSize ?? 0;
  }
}
