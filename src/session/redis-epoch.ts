import { randomBytes } from 'node:crypto';
import type { Backend } from './backend.js';

/** Seconds the epoch key lives: effectively for ever, yet never a key without a TTL. */
const EPOCH_TTL = 10 * 365 * 86400;
/** Milliseconds a replica reuses the epoch it read, so copies do not cost a Redis read each. */
const EPOCH_CACHE_MS = 10_000;

/**
 * Redis's epoch (`<ns>epoch`): a random value set once by whichever replica comes
 * first (`SET NX`). Fallback copies carry it; a Redis that answers with another
 * value, or none, lost its data (a restart without persistence, a failover to an
 * empty replica) since the copy was written.
 */
export class RedisEpoch {
  private cached: { readonly value: string; readonly until: number } | undefined;

  constructor(private readonly backend: Backend) {}

  /** The current epoch, set now if Redis has none; `fresh` skips the short cache. Backend errors throw. */
  async current(fresh = false): Promise<string> {
    if (!fresh && this.cached !== undefined && Date.now() < this.cached.until) return this.cached.value;
    let value = await this.backend.get('epoch');
    if (value === undefined) {
      await this.backend.setIfAbsent('epoch', randomBytes(16).toString('base64url'), EPOCH_TTL);
      value = await this.backend.get('epoch');
    }
    if (value === undefined) throw new Error('redis epoch missing right after it was set');
    this.cached = { value, until: Date.now() + EPOCH_CACHE_MS };
    return value;
  }
}
