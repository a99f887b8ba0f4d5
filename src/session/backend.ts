import { AppError } from '../errors/app-error.js';
import type { Metrics } from '../observability/metrics.js';

/** A lock held in a backend; only its owner can release it. */
export interface BackendLock {
  /** Releases the lock if this owner still holds it (compare-and-delete); false when it had expired or passed on. */
  release(): Promise<boolean>;
}

/**
 * Where server-side sessions live: strings under keys with a TTL, and nothing
 * about sessions. Keys are relative to the backend's namespace. Every operation
 * touches one key, so a hash-slot-partitioned Redis (Cluster) can serve it.
 */
export interface Backend {
  /** `redis` or `memory`, for logs, metrics and readiness. */
  readonly kind: string;
  /** The value under `key`, or undefined when absent or expired. */
  get(key: string): Promise<string | undefined>;
  /** Stores `value` under `key` for `ttlSeconds`. */
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** Stores only while `key` still exists (redis `SET … XX`); false when it was gone, which is never revived. */
  setIfPresent(key: string, value: string, ttlSeconds: number): Promise<boolean>;
  /** Stores only while `key` is absent (redis `SET … NX`); false when it already held a value. */
  setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean>;
  /** Deletes `key`; true when it existed. */
  delete(key: string): Promise<boolean>;
  /** Adds `member` to the set under `key`, which lives at least `ttlSeconds` more. */
  addToSet(key: string, member: string, ttlSeconds: number): Promise<void>;
  /** Returns and deletes the set under `key` (empty when absent). */
  takeSet(key: string): Promise<string[]>;
  /** Takes the lock `key` for `ttlMs` unless someone holds it (redis `SET NX PX`); undefined when held. */
  lock(key: string, ttlMs: number): Promise<BackendLock | undefined>;
  /** Throws when the backend cannot be reached (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Runs one backend operation; a failure becomes SESSION_STORE_UNAVAILABLE (503)
 * and is counted by operation, the cause kept for the log.
 */
export function guarded<T>(kind: string, operation: string, work: () => Promise<T>, metrics?: Metrics): Promise<T> {
  const unavailable = (err: unknown): never => {
    metrics?.storeErrors.inc({ operation });
    throw new AppError(
      'SESSION_STORE_UNAVAILABLE',
      'Sessions are unavailable right now. Please try again in a moment.',
      `${kind} ${operation} failed`,
      { cause: err },
    );
  };
  // One promise a call instead of an async function's (every Redis command of a check passes here).
  try {
    return work().catch(unavailable);
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err))).catch(unavailable);
  }
}
