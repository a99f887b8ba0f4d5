import type { Logger } from '../observability/logger.js';

/** What a queue of retried writes needs: its bound, its retry interval and a logger. */
export interface PendingWritesOptions {
  /** Writes kept at most; past it the oldest is dropped (and logged). */
  readonly maxSize: number;
  /** Milliseconds between retries while writes are pending. */
  readonly intervalMs: number;
  readonly logger: Logger;
}

interface Pending {
  /** Unix ms after which the write no longer matters (the session would have ended anyway). */
  readonly until: number;
  readonly run: () => Promise<void>;
}

/**
 * Writes Redis could not take during an outage (a logout's delete), retried in
 * order every `intervalMs` until they succeed or stop mattering. Bounded in size
 * and time; the timer is unref'd and runs only while writes are pending.
 */
export class PendingWrites {
  private readonly items = new Map<string, Pending>();
  private timer: NodeJS.Timeout | undefined;
  private flushing = false;

  constructor(private readonly options: PendingWritesOptions) {}

  /** Writes waiting for Redis. */
  get size(): number {
    return this.items.size;
  }

  /** Queues `run` under `key` (a later write with the same key replaces it) until `until` (Unix ms). */
  add(key: string, until: number, run: () => Promise<void>): void {
    this.items.delete(key);
    if (this.items.size >= this.options.maxSize) {
      const oldest = this.items.keys().next().value;
      if (oldest !== undefined) this.items.delete(oldest);
      this.options.logger.warn(
        { event: 'session_fallback', pending: this.items.size },
        'session fallback: too many writes waiting for Redis; the oldest was dropped',
      );
    }
    this.items.set(key, { until, run });
    this.timer ??= setInterval(() => void this.flush(), this.options.intervalMs);
    this.timer.unref();
  }

  /** Tries every pending write once, in order; stops at the first failure (Redis still away). */
  async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      for (const [key, item] of [...this.items]) {
        if (Date.now() > item.until) {
          this.items.delete(key);
          continue;
        }
        try {
          await item.run();
          this.items.delete(key);
        } catch {
          break;
        }
      }
    } finally {
      this.flushing = false;
      if (this.items.size === 0) this.stop();
    }
  }

  private stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Stops retrying; what is pending is lost (a process that stops forgets its queue). */
  close(): void {
    this.stop();
    this.items.clear();
  }
}
