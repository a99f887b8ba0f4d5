import type { Backend } from './backend.js';

/** What sessions can be found by besides their id: the provider's session (`sid`) or the user (`sub`). */
export type IndexedBy = 'sid' | 'sub';

/**
 * Finds server-side sessions by the provider's `sid` (front-channel and
 * back-channel logout) or by `sub` (ending every session of a user). One set per
 * value in the backend, living as long as its longest session. Entries of
 * sessions that ended otherwise stay until then; ending them again is harmless.
 */
export class SidIndex {
  constructor(private readonly backend: Backend) {}

  private key(by: IndexedBy, value: string): string {
    return `${by}:${value}`;
  }

  /** Records that session `id` belongs to `value`, for `ttlSeconds`. */
  add(by: IndexedBy, value: string, id: string, ttlSeconds: number): Promise<void> {
    return this.backend.addToSet(this.key(by, value), id, ttlSeconds);
  }

  /** Returns and forgets every session id recorded for `value`. */
  take(by: IndexedBy, value: string): Promise<string[]> {
    return this.backend.takeSet(this.key(by, value));
  }
}
