import { randomBytes } from 'node:crypto';
import type { Store } from 'express-session';
import { sign, unsign } from 'cookie-signature';
import { LRUCache } from 'lru-cache';
import { AppError } from '../errors/app-error.js';
import type { Metrics } from '../observability/metrics.js';
import { clearCookie, setCookie, type CookiePolicy } from './cookies.js';
import { deriveKey } from './keys.js';
import { SESSION_CACHE_MAX_BYTES, endsAt, isLive, sessionBytes, isSession, needsTouch, nowSeconds, type Session, type SessionLifetime } from './session.js';
import type { Cookies, LoadedSession, SessionStore } from './store.js';

/** Finds sessions by the provider's `sid`, for front-channel logout. */
export interface SidIndex {
  add(sid: string, id: string, ttlSeconds: number): Promise<void>;
  /** Returns and forgets every session id recorded for `sid`. */
  take(sid: string): Promise<string[]>;
}

/** What a server-side store needs: its backend, sid index, cookie settings, lifetimes and cache bounds. */
export interface ServerStoreOptions {
  readonly kind: 'redis' | 'memory';
  /** An express-session store: connect-redis's RedisStore, or express-session's MemoryStore. */
  readonly backend: Store;
  readonly sidIndex: SidIndex;
  readonly secret: string;
  readonly cookieName: string;
  readonly policy: CookiePolicy;
  readonly lifetime: SessionLifetime;
  /** Seconds a session read from the backend is served from memory; bounds cross-replica logout. */
  readonly cacheTtl: number;
  readonly cacheSize: number;
  /**
   * Writes the record only if it still exists (redis `SET … XX`): a touch must never
   * bring back a session that a logout deleted meanwhile. Without it, the store
   * re-reads the record before writing (memory store: one process, no race worth it).
   */
  readonly updateIfPresent?: ((id: string, record: StoredRecord, ttlSeconds: number) => Promise<boolean>) | undefined;
  readonly ping: () => Promise<void>;
  readonly close: () => Promise<void>;
  readonly metrics?: Metrics | undefined;
}

/** What the backend holds: express-session's shape, so its stores set the TTL from `cookie.expires`. */
export interface StoredRecord {
  cookie: { expires: string; originalMaxAge: number };
  session: Session;
}

function call<T>(fn: (cb: (err?: unknown, value?: T) => void) => void): Promise<T | undefined> {
  return new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))));
}

/**
 * Server-side sessions behind an express-session `Store`. The cookie holds only
 * the session id, signed the way express-session signs it (`s:<id>.<hmac>`).
 */
export class ServerSessionStore implements SessionStore {
  readonly kind: 'redis' | 'memory';
  private readonly signingKey: string;
  private readonly cache: LRUCache<string, Session>;
  /** Signed cookie values already verified, to their id: the HMAC is the costliest step of a cached check. */
  private readonly verified: LRUCache<string, string>;

  constructor(private readonly options: ServerStoreOptions) {
    this.kind = options.kind;
    this.signingKey = Buffer.from(deriveKey(options.secret, 'session-id-signature')).toString('base64');
    this.cache = new LRUCache({
      max: Math.max(1, options.cacheSize),
      maxSize: SESSION_CACHE_MAX_BYTES,
      sizeCalculation: sessionBytes,
      ttl: Math.max(1, options.cacheTtl) * 1000,
      ttlAutopurge: false,
    });
    this.verified = new LRUCache({ max: Math.max(1, options.cacheSize) });
  }

  cookieNames(): string[] {
    return [this.options.cookieName];
  }

  private idFrom(cookies: Cookies): string | undefined {
    const raw = cookies[this.options.cookieName];
    if (!raw || !raw.startsWith('s:') || raw.length > 200) return undefined;
    // Same answer as unsign: the key is the exact value that verified under this store's key.
    const known = this.verified.get(raw);
    if (known !== undefined) return known;
    const id = unsign(raw.slice(2), this.signingKey);
    if (id === false) return undefined;
    if (this.options.cacheSize > 0) this.verified.set(raw, id);
    return id;
  }

  private async fail<T>(operation: string, work: Promise<T>): Promise<T> {
    try {
      return await work;
    } catch (err) {
      this.options.metrics?.storeErrors.inc({ operation });
      throw new AppError('SESSION_STORE_UNAVAILABLE', 'Sessions are unavailable right now. Please try again in a moment.', `${this.kind} ${operation} failed`, { cause: err });
    }
  }

  async load(cookies: Cookies): Promise<LoadedSession | undefined> {
    const id = this.idFrom(cookies);
    if (id === undefined) return undefined;
    const useCache = this.options.cacheTtl > 0 && this.options.cacheSize > 0;
    let session = useCache ? this.cache.get(id) : undefined;
    this.options.metrics?.cacheLookup(session !== undefined);
    if (session === undefined) {
      const record = await this.fail('get', call<StoredRecord>((cb) => this.options.backend.get(id, cb as never)));
      if (!record || !isSession(record.session)) return undefined;
      session = record.session;
      if (useCache) this.cache.set(id, session);
    }
    return isLive(session, this.options.lifetime) ? { session, id } : undefined;
  }

  private record(session: Session): StoredRecord {
    const expires = endsAt(session, this.options.lifetime);
    return { cookie: { expires: new Date(expires * 1000).toISOString(), originalMaxAge: (expires - nowSeconds()) * 1000 }, session };
  }

  private async write(id: string, session: Session): Promise<void> {
    await this.fail('set', call((cb) => this.options.backend.set(id, this.record(session) as never, cb)));
    this.cache.delete(id);
  }

  async create(session: Session): Promise<string[]> {
    const id = randomBytes(32).toString('base64url');
    await this.write(id, session);
    if (session.sid) await this.fail('index', this.options.sidIndex.add(session.sid, id, session.expiresAt - nowSeconds()));
    const maxAge = Math.max(1, session.expiresAt - nowSeconds());
    return [setCookie(this.options.cookieName, `s:${sign(id, this.signingKey)}`, maxAge, this.options.policy)];
  }

  async touch(loaded: LoadedSession): Promise<string[] | undefined> {
    const { id } = loaded;
    if (id === undefined || !needsTouch(loaded.session, this.options.lifetime)) return [];
    const touched = { ...loaded.session, lastSeenAt: nowSeconds() };
    this.cache.delete(id);
    if (this.options.updateIfPresent) {
      const record = this.record(touched);
      const ttl = Math.max(1, endsAt(touched, this.options.lifetime) - nowSeconds());
      return (await this.fail('set', this.options.updateIfPresent(id, record, ttl))) ? [] : undefined;
    }
    const current = await this.fail('get', call<StoredRecord>((cb) => this.options.backend.get(id, cb as never)));
    if (!current || !isSession(current.session)) return undefined;
    await this.write(id, touched);
    return [];
  }

  async destroy(cookies: Cookies): Promise<string[]> {
    const id = this.idFrom(cookies);
    if (id !== undefined) await this.remove(id);
    return [clearCookie(this.options.cookieName, this.options.policy)];
  }

  private async remove(id: string): Promise<void> {
    this.cache.delete(id);
    await this.fail('destroy', call((cb) => this.options.backend.destroy(id, cb)));
  }

  async destroyBySid(sid: string): Promise<number> {
    const ids = await this.fail('index', this.options.sidIndex.take(sid));
    for (const id of ids) await this.remove(id);
    return ids.length;
  }

  ping(): Promise<void> {
    return this.options.ping();
  }

  async close(): Promise<void> {
    this.cache.clear();
    this.verified.clear();
    await this.options.close();
  }
}
