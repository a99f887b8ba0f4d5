/** Bits of one generation's filter: 128 KiB, about 1% false positives at 50,000 handles. */
const BITS = 1 << 20;
const MASK = BITS - 1;

/** How a `SecondSighting` filter remembers. */
export interface SecondSightingOptions {
  /** Milliseconds a generation lasts; a handle is remembered for one to two of them. */
  readonly generationMs: number;
  /** The clock, in milliseconds (tests freeze it). */
  readonly now?: () => number;
}

/**
 * The session cache's admission filter (a "doorkeeper"): a handle is worth caching
 * only when it comes back while a cached copy could still serve it. A session seen
 * once per cache lifetime (one of 100,000 users in rotation) would only churn the
 * cache: each insertion evicts an entry that might be hit, and every evicted session
 * has been promoted to the old heap by then, which the collector pays for
 * (docs/performance.md). So the first sighting is only recorded, and the second within
 * one to two generations admits it; a page's burst of parallel requests admits its
 * session on the second.
 *
 * Two generations of a Bloom filter (two bit probes per handle, fixed 256 KiB in all),
 * the older dropped when a generation ends. A false positive only admits a session
 * early, which is what the cache did before; it never serves anything.
 */
export class SecondSighting {
  private current = new Uint8Array(BITS >>> 3);
  private previous = new Uint8Array(BITS >>> 3);
  private generationEnds: number;
  private readonly now: () => number;

  constructor(private readonly options: SecondSightingOptions) {
    this.now = options.now ?? Date.now;
    this.generationEnds = this.now() + options.generationMs;
  }

  /** Records a sighting of the handle with this fingerprint; true when it was seen before (admit it). */
  sighted(fingerprint: number): boolean {
    this.age();
    const a = fingerprint & MASK;
    const b = Math.imul(fingerprint ^ (fingerprint >>> 15), 0x2c1b3c6d) & MASK;
    const seen = (has(this.current, a) && has(this.current, b)) || (has(this.previous, a) && has(this.previous, b));
    if (!seen) {
      set(this.current, a);
      set(this.current, b);
    }
    return seen;
  }

  private age(): void {
    const now = this.now();
    if (now < this.generationEnds) return;
    // A pause longer than two generations forgets both.
    if (now >= this.generationEnds + this.options.generationMs) this.current.fill(0);
    const older = this.previous;
    older.fill(0);
    this.previous = this.current;
    this.current = older;
    this.generationEnds = now + this.options.generationMs;
  }
}

const has = (bits: Uint8Array, i: number): boolean => ((bits[i >>> 3] ?? 0) & (1 << (i & 7))) !== 0;
const set = (bits: Uint8Array, i: number): void => {
  bits[i >>> 3] = (bits[i >>> 3] ?? 0) | (1 << (i & 7));
};
