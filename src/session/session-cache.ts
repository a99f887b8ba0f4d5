import { HandleCache } from './handle-cache.js';
import { SecondSighting } from './second-sighting.js';
import { SESSION_CACHE_MAX_BYTES, sessionBytes, type Session } from './session.js';

/** Cookies issued at a touch, reusable until `until` (Unix seconds). */
export interface RefreshedCookies {
  readonly until: number;
  readonly setCookies: string[];
}

/** The bounds of a `SessionCache`, from `SESSION_CACHE_SIZE` and `SESSION_CACHE_TTL`. */
export interface SessionCacheOptions {
  /** Sessions kept (also bounded by SESSION_CACHE_MAX_BYTES); 0 turns the cache off. */
  readonly size: number;
  /** Seconds a session is kept; omitted: until evicted (the cookie store, whose value is the session); 0 turns it off. */
  readonly ttl?: number | undefined;
}

/**
 * The session manager's in-process memory: sessions by handle (`HandleCache`, bounded in
 * count, bytes and time), admitted on their second read (`SecondSighting`) or at once when
 * written here, and the cookies a cookie session's last touch issued, which a page's
 * parallel requests still carrying the old value reuse instead of paying a new encryption.
 * It keeps what was read, never a decision: the manager checks every cached session's
 * lifetime on every request.
 */
export class SessionCache {
  /** False when SESSION_CACHE_SIZE or SESSION_CACHE_TTL is 0: nothing is kept. */
  readonly enabled: boolean;
  private readonly sessions: HandleCache<Session>;
  private readonly doorkeeper: SecondSighting | undefined;
  private readonly refreshed: HandleCache<RefreshedCookies> | undefined;

  constructor(options: SessionCacheOptions) {
    const { size, ttl } = options;
    const ttlMs = ttl === undefined ? undefined : Math.max(1, ttl) * 1000;
    this.enabled = size > 0 && (ttl === undefined || ttl > 0);
    // Keyed by handle, which may be the cookie value itself (hook: src/session/handle-cache.ts).
    this.sessions = new HandleCache({
      max: size,
      maxSize: SESSION_CACHE_MAX_BYTES,
      sizeOf: (value, handle) => handle.length + sessionBytes(value),
      ttlMs,
    });
    this.doorkeeper = this.enabled ? new SecondSighting({ generationMs: ttlMs ?? 60_000 }) : undefined;
    // Only the requests racing a touch need an entry, so a small bound (~4 KB each) suffices.
    this.refreshed =
      size > 0
        ? new HandleCache({
            max: Math.min(size, 1000),
            maxSize: 8 * 1024 * 1024,
            sizeOf: (value, handle) => handle.length + value.setCookies.reduce((n, c) => n + c.length, 0),
          })
        : undefined;
  }

  /** The session cached for exactly this handle, if any. */
  get(handle: string): Session | undefined {
    return this.enabled ? this.sessions.get(handle) : undefined;
  }

  /** A session just read from its store: kept when this handle was read (or written) shortly before. */
  admit(handle: string, session: Session): void {
    if (this.doorkeeper?.sighted(HandleCache.fingerprint(handle)) === true) this.sessions.set(handle, session);
  }

  /** A session read again past the cache on purpose (another replica may have changed it): kept as read. */
  set(handle: string, session: Session): void {
    if (this.enabled) this.sessions.set(handle, session);
  }

  /** A session written here at login comes back at once (the redirect): its first read is kept. */
  written(handle: string): void {
    this.doorkeeper?.sighted(HandleCache.fingerprint(handle));
  }

  /** Forgets the session at this handle (it is being rewritten). */
  drop(handle: string): void {
    this.sessions.delete(handle);
  }

  /** Forgets the session and any touch cookies for this handle (it ended or changed). */
  forget(handle: string): void {
    this.sessions.delete(handle);
    this.refreshed?.delete(handle);
  }

  /** The cookies the last touch of this cookie value issued, if still reusable at `now`. */
  touched(handle: string, now: number): string[] | undefined {
    const previous = this.refreshed?.get(handle);
    return previous !== undefined && now < previous.until ? previous.setCookies : undefined;
  }

  /** Remembers the cookies a touch of this cookie value issued. */
  rememberTouch(handle: string, cookies: RefreshedCookies): void {
    this.refreshed?.set(handle, cookies);
  }

  /** Sessions held. */
  get size(): number {
    return this.sessions.size;
  }

  /** Bytes of session data held, as the byte budget counts them. */
  get calculatedSize(): number {
    return this.sessions.calculatedSize;
  }

  /** Forgets everything. */
  clear(): void {
    this.sessions.clear();
    this.refreshed?.clear();
  }
}
