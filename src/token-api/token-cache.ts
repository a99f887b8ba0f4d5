import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';

/** A token as the provider issued it. */
export interface ProviderToken {
  readonly accessToken: string;
  /** Seconds the token is valid for, from the provider's `expires_in`. */
  readonly expiresIn: number;
}

/** A token as the cache serves it: `expiresIn` is the time left now, not what the provider first said. */
export interface ServedToken extends ProviderToken {
  /** True when the answer came from the cache rather than a provider call made for this request. */
  readonly cached: boolean;
}

/** Bounds and clock of a `TokenCache`. */
export interface TokenCacheOptions {
  /** Most tokens kept. Default 10,000. */
  readonly maxEntries?: number;
  /** Most bytes kept, counting each token and its key. Default 16 MiB. */
  readonly maxBytes?: number;
  /** Milliseconds clock for TTLs and `expires_in`; tests move it by hand. Default `performance.now()`. */
  readonly now?: () => number;
}

/** Seconds before expiry an entry leaves the cache (texas's leeway). */
export const EXPIRY_LEEWAY_SECONDS = 120;

/** How long a token that is valid for `expiresIn` seconds may be served from the cache: `expiresIn − 120`, or half when that leaves 120 s or less. */
export function cacheTtlSeconds(expiresIn: number): number {
  return expiresIn > EXPIRY_LEEWAY_SECONDS ? expiresIn - EXPIRY_LEEWAY_SECONDS : expiresIn / 2;
}

/** The cache key of a client-credentials request: texas keys on target, resource and authorization details. */
export function clientCredentialsKey(
  target: string,
  resource: string | undefined,
  authorizationDetails: string | undefined,
): string {
  return JSON.stringify(['client_credentials', target, resource ?? null, authorizationDetails ?? null]);
}

/** The cache key of an exchange request: target and a SHA-256 of the user token, so no user token is kept. */
export function exchangeKey(target: string, userToken: string): string {
  return JSON.stringify(['exchange', target, createHash('sha256').update(userToken).digest('base64url')]);
}

interface Entry {
  readonly accessToken: string;
  /** On the cache's clock, in milliseconds. */
  readonly expiresAt: number;
}

/**
 * Tokens by request, texas's way: each is kept until `cacheTtlSeconds` of its
 * lifetime has passed, served with the time it has left, refetched on
 * `skipCache`, and fetched once for any number of identical requests in flight.
 * Failures are never kept: the callers waiting on a failed fetch all get its
 * error, and the next request tries again.
 */
export class TokenCache {
  private readonly entries: LRUCache<string, Entry>;
  private readonly inflight = new Map<string, Promise<Entry>>();
  private readonly now: () => number;

  constructor(options: TokenCacheOptions = {}) {
    this.now = options.now ?? (() => performance.now());
    this.entries = new LRUCache<string, Entry>({
      max: options.maxEntries ?? 10_000,
      maxSize: options.maxBytes ?? 16 * 1024 * 1024,
      sizeCalculation: (entry, key) => entry.accessToken.length + key.length + 64,
      perf: { now: this.now },
      // Read the clock on every lookup: the default caches it for 1 ms, which a moved test clock would not see.
      ttlResolution: 0,
    });
  }

  /** Tokens kept now. */
  get size(): number {
    return this.entries.size;
  }

  /** Bytes kept now, as counted against `maxBytes`. */
  get bytes(): number {
    return this.entries.calculatedSize;
  }

  /** The token for `key`: from the cache, from a fetch already in flight, or from `fetch`. */
  async get(key: string, fetch: () => Promise<ProviderToken>, skipCache = false): Promise<ServedToken> {
    if (skipCache) {
      this.entries.delete(key);
    } else {
      const hit = this.entries.get(key);
      if (hit) return this.serve(hit, true);
    }
    let pending = this.inflight.get(key);
    const joined = pending !== undefined;
    if (!pending) {
      pending = this.load(key, fetch);
      this.inflight.set(key, pending);
      const forget = () => this.inflight.delete(key);
      pending.then(forget, forget);
    }
    return this.serve(await pending, joined);
  }

  private async load(key: string, fetch: () => Promise<ProviderToken>): Promise<Entry> {
    const token = await fetch();
    const entry: Entry = { accessToken: token.accessToken, expiresAt: this.now() + token.expiresIn * 1000 };
    const ttl = Math.floor(cacheTtlSeconds(token.expiresIn) * 1000);
    if (ttl >= 1) this.entries.set(key, entry, { ttl });
    return entry;
  }

  private serve(entry: Entry, cached: boolean): ServedToken {
    const expiresIn = Math.max(0, Math.floor((entry.expiresAt - this.now()) / 1000));
    return { accessToken: entry.accessToken, expiresIn, cached };
  }
}
