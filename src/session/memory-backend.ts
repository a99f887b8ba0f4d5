import { randomBytes } from 'node:crypto';
import type { Backend, BackendLock } from './backend.js';

interface Entry {
  value: string | Set<string>;
  /** Date.now() milliseconds after which the entry is gone. */
  until: number;
}

/** Every this many writes, expired entries are swept, so the map stays bounded by live data. */
const SWEEP_EVERY = 1000;

/**
 * The in-process backend (`SESSION_STORE=memory`, and the cookie store's locks).
 * One process, one event loop: each operation is atomic without further care.
 */
export class MemoryBackend implements Backend {
  readonly kind = 'memory';
  private readonly entries = new Map<string, Entry>();
  private writes = 0;

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.until > Date.now()) return entry;
    this.entries.delete(key);
    return undefined;
  }

  private put(key: string, value: string | Set<string>, ttlMs: number): void {
    this.entries.set(key, { value, until: Date.now() + Math.max(1, ttlMs) });
    if (++this.writes % SWEEP_EVERY === 0) {
      const now = Date.now();
      for (const [k, e] of this.entries) if (e.until <= now) this.entries.delete(k);
    }
  }

  async get(key: string): Promise<string | undefined> {
    const value = this.live(key)?.value;
    return typeof value === 'string' ? value : undefined;
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    this.put(key, value, ttlSeconds * 1000);
  }

  async setIfPresent(key: string, value: string, ttlSeconds: number): Promise<boolean> {
    if (this.live(key) === undefined) return false;
    this.put(key, value, ttlSeconds * 1000);
    return true;
  }

  async setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean> {
    if (this.live(key) !== undefined) return false;
    this.put(key, value, ttlSeconds * 1000);
    return true;
  }

  async delete(key: string): Promise<boolean> {
    const existed = this.live(key) !== undefined;
    this.entries.delete(key);
    return existed;
  }

  async addToSet(key: string, member: string, ttlSeconds: number): Promise<void> {
    const entry = this.live(key);
    const set = entry?.value instanceof Set ? entry.value : new Set<string>();
    set.add(member);
    this.put(key, set, Math.max(ttlSeconds * 1000, (entry?.until ?? 0) - Date.now()));
  }

  async takeSet(key: string): Promise<string[]> {
    const value = this.live(key)?.value;
    this.entries.delete(key);
    return value instanceof Set ? [...value] : [];
  }

  async lock(key: string, ttlMs: number): Promise<BackendLock | undefined> {
    if (this.live(key) !== undefined) return undefined;
    const token = randomBytes(16).toString('base64url');
    this.put(key, token, ttlMs);
    return {
      release: async () => {
        if (this.live(key)?.value !== token) return false;
        this.entries.delete(key);
        return true;
      },
    };
  }

  async ping(): Promise<void> {
    // In-process: always reachable.
  }

  async close(): Promise<void> {
    this.entries.clear();
  }
}
