import { LRUCache } from 'lru-cache';
import { fnv1a, TAIL } from './handle-cache.js';

/** Bounds of `JoinedChunks`. */
export interface JoinedChunksOptions {
  /** Most joined values kept. */
  readonly max: number;
  /** Most characters kept in all. */
  readonly maxChars: number;
}

/**
 * The values of cookies split into chunks, joined once per distinct value. Joining the
 * chunks of an Entra-sized session (15-20 KB) on every check made a new string that the
 * first read of a character then flattened, copying it whole, and a cache lookup compared it
 * whole to the value it held; together they were the largest cost of that check that
 * was ours (docs/performance.md). A value seen before is instead found by its length and its
 * last chunk's tail, compared chunk by chunk without a copy, and returned as the very string
 * returned before, so a cache holding it matches by identity. A pure memo: the answer is
 * always the chunks' concatenation, character for character.
 */
export class JoinedChunks {
  private readonly lru: LRUCache<number, string>;

  constructor(options: JoinedChunksOptions) {
    this.lru = new LRUCache({
      max: Math.max(1, options.max),
      maxSize: Math.max(1, options.maxChars),
      sizeCalculation: (value) => Math.max(1, value.length),
    });
  }

  /** The concatenation of `chunks`, whose lengths add up to `length`. */
  join(chunks: readonly string[], length: number): string {
    const last = chunks[chunks.length - 1] ?? '';
    if (chunks.length < 2 || last.length < TAIL) return chunks.join('');
    const key = tailKey(length, chunks.length, last);
    const known = this.lru.get(key);
    if (known?.length === length && sameParts(known, chunks)) return known;
    const joined = chunks.join('');
    this.lru.set(key, joined);
    return joined;
  }

  /** Values held. */
  get size(): number {
    return this.lru.size;
  }
}

/** True when `value` is `chunks` joined (its length already checked). */
function sameParts(value: string, chunks: readonly string[]): boolean {
  let offset = 0;
  for (const chunk of chunks) {
    if (value.slice(offset, offset + chunk.length) !== chunk) return false;
    offset += chunk.length;
  }
  return true;
}

/** The key of a joined value: FNV-1a over its length, its chunk count and the last chunk's tail, as `HandleCache.key`. */
function tailKey(length: number, count: number, last: string): number {
  return fnv1a(Math.imul(0x811c9dc5 ^ length, 0x01000193) ^ count, last, last.length - TAIL);
}
