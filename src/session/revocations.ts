import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Logger } from '../observability/logger.js';
import { guarded, type Backend } from './backend.js';
import { nowSeconds, type Session } from './session.js';

/** What a revocation names: one cookie session (`jti`), a provider session (`sid`) or a user (`sub`). */
export type RevokedBy = 'jti' | 'sid' | 'sub';

/** What the revocation list needs: the shared backend (Redis), how long entries live and how long lookups are cached. */
export interface RevocationListOptions {
  /** The shared backend, keys under its namespace (`idp:<client id>:revoked:…`). */
  readonly backend: Backend;
  /** Seconds an entry is kept: `SESSION_MAX_AGE`, since no session outlives it. */
  readonly ttlSeconds: number;
  /** Seconds a lookup is served from memory (`SESSION_CACHE_TTL`, at most 5): bounds how soon another replica's revocation applies. */
  readonly cacheTtlSeconds: number;
  readonly logger: Logger;
}

/**
 * Revocations of cookie sessions, shared by every replica through Redis. A cookie
 * session is its own copy, so logout cannot delete it: instead its id (`jti`), its
 * provider `sid` or its `sub` gets an entry `revoked:<by>:<value>` holding a cut-off
 * time, and every session of that value created at or before the cut-off is refused.
 * Lookups are cached per session for `cacheTtlSeconds`, so a revocation made on one
 * replica applies on every other within that bound, without a Redis round trip per
 * request. When Redis cannot be read the session is let through (fail open, logged):
 * the cookie is still encrypted, authenticated and bounded by its lifetimes.
 */
export class RevocationList {
  private readonly cache: LRUCache<string, { readonly revoked: boolean }>;

  constructor(private readonly options: RevocationListOptions) {
    this.cache = new LRUCache({
      max: 10_000,
      ttl: Math.max(1, options.cacheTtlSeconds) * 1000,
      ttlAutopurge: false,
    });
  }

  private key(by: RevokedBy, value: string): string {
    // Hashed: a sub or sid may be long or contain anything; the key stays short and opaque.
    return `revoked:${by}:${createHash('sha256').update(value).digest('base64url')}`;
  }

  /** Revokes every session of `value` created up to now. Throws SESSION_STORE_UNAVAILABLE (503) when Redis cannot be written. */
  async revoke(by: RevokedBy, value: string): Promise<void> {
    const key = this.key(by, value);
    await guarded(this.options.backend.kind, 'revoke', () =>
      this.options.backend.set(key, String(nowSeconds()), this.options.ttlSeconds),
    );
    // This replica honours its own revocation at once.
    this.cache.clear();
  }

  /** True when the session was revoked by its id, its sid or its sub. */
  async isRevoked(session: Session): Promise<boolean> {
    const cacheKey = `${session.jti ?? ''}|${session.sid ?? ''}|${session.sub}|${session.createdAt}`;
    const cached = this.cache.get(cacheKey);
    if (cached !== undefined) return cached.revoked;
    const checks: [RevokedBy, string | undefined][] = [
      ['jti', session.jti],
      ['sid', session.sid],
      ['sub', session.sub],
    ];
    try {
      const cutoffs = await Promise.all(
        checks.map(([by, value]) =>
          value === undefined ? Promise.resolve(undefined) : this.options.backend.get(this.key(by, value)),
        ),
      );
      const revoked = cutoffs.some((cutoff) => cutoff !== undefined && session.createdAt <= Number(cutoff));
      if (this.options.cacheTtlSeconds > 0) this.cache.set(cacheKey, { revoked });
      return revoked;
    } catch (err) {
      this.options.logger.warn(
        { event: 'revocation', err: { message: (err as Error).message } },
        'could not read the revocation list; the session is let through',
      );
      return false;
    }
  }
}
