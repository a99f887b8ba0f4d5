import { createHash } from 'node:crypto';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { RevocationList } from './revocations.js';
import { SessionCache } from './session-cache.js';
import { isLive, needsTouch, nowSeconds, type Session, type SessionLifetime } from './session.js';
import type { Cookies, SessionStore } from './store.js';

/** A live session found for a request. */
export interface ActiveSession {
  readonly session: Session;
  /** Opaque: where the store finds the session again (`update`, `sessionKey`). */
  readonly handle: string;
  /** Set-Cookie values the answer must carry (a touch of a cookie session), often none. */
  readonly setCookies: string[];
  /** Served without Redis (`SESSION_FALLBACK=cookie`: a copy or an outage session): no refresh, no tokens from a copy. */
  readonly degraded?: boolean | undefined;
}

/** How `SessionManager.get` reads. */
export interface GetOptions {
  /** False when the caller uses no token (no forwarding, no refresh): they may be left out. Default true. */
  readonly tokens?: boolean | undefined;
}

/** What the manager needs: its store, lifetimes, cache bounds, logger and metrics. */
export interface SessionManagerOptions {
  readonly store: SessionStore;
  readonly lifetime: SessionLifetime;
  /** Sessions kept in the in-process cache (also bounded in bytes); 0 turns it off. */
  readonly cacheSize: number;
  /** Seconds a session read from a server store is served from memory (bounds cross-replica logout); omitted: no expiry, for the cookie store whose value is the session. */
  readonly cacheTtl?: number | undefined;
  readonly logger: Logger;
  readonly metrics?: Metrics | undefined;
  /** Cookie store with `REDIS_URL`: revocations every replica honours (logout, front- and back-channel logout). */
  readonly revocations?: RevocationList | undefined;
}

/** A value, or a promise of it where I/O was needed. */
type MaybePromise<T> = T | Promise<T>;

/**
 * The read side of `SessionManager`: a request's live session from the in-process cache
 * or the store, liveness (absolute and idle lifetime) checked on every read, touches that
 * never revive an ended session, and a session read again past the cache. Everything that
 * writes a new session, ends one or coordinates replicas is `SessionManager`'s.
 */
export class SessionReader {
  /** `cookie`, `redis` or `memory`. */
  readonly kind: string;
  protected readonly store: SessionStore;
  protected readonly cache: SessionCache;

  constructor(protected readonly options: SessionManagerOptions) {
    this.store = options.store;
    this.kind = options.store.kind;
    this.cache = new SessionCache({ size: options.cacheSize, ttl: options.cacheTtl });
  }

  /** Names of the cookies sessions may use (Traefik `addAuthCookiesToResponse`). */
  cookieNames(): string[] {
    return this.store.cookieNames();
  }

  /** Set-Cookie values clearing fallback cookies left on a request found unauthenticated (none here). */
  leftovers(_cookies: Cookies): string[] {
    return [];
  }

  /** True when sessions outlive a Redis outage (`SESSION_FALLBACK=cookie`), so readiness stays up. */
  readonly bridgesOutages: boolean = false;

  protected forget(handle: string): void {
    this.cache.forget(handle);
  }

  /**
   * The stored session behind `handle`, from the cache when allowed, live or not. `tokens:
   * false` accepts it without its tokens (`tokensApart`); a cached one without them is read
   * again when they are wanted.
   */
  protected async find(handle: string, tokens = true): Promise<Session | undefined> {
    let session = this.cache.get(handle);
    if (tokens && session?.tokensApart === true) session = undefined;
    this.options.metrics?.cacheLookup(session !== undefined);
    if (session === undefined) {
      session = await this.store.read(handle, tokens);
      if (session !== undefined) this.cache.admit(handle, session);
    }
    return session;
  }

  /**
   * The live session for these cookies, its use recorded when due; undefined when
   * there is none, it expired, or it was ended meanwhile (a logout on another
   * replica while this one served it from its cache). Store errors throw (503).
   * `tokens: false` (a check that forwards and refreshes no token) lets a server store
   * leave the tokens out.
   */
  get(cookies: Cookies, options: GetOptions = {}): Promise<ActiveSession | undefined> {
    return Promise.resolve(this.lookup(cookies, options));
  }

  /**
   * `get`, answered synchronously when no store is needed: no session cookie, or a session
   * the cache alone decides. The hot path's way past a promise per check; otherwise `get`'s promise.
   */
  lookup(cookies: Cookies, options: GetOptions = {}): MaybePromise<ActiveSession | undefined> {
    const handle = this.store.handle(cookies);
    if (handle === undefined) return undefined;
    const tokens = options.tokens ?? true;
    const cached = this.servable(handle, tokens);
    if (cached !== undefined) return cached;
    return this.find(handle, tokens).then((session) =>
      session === undefined ? undefined : this.serve(handle, session, cookies),
    );
  }

  /**
   * The cached session's answer when the cache alone decides it: live, no touch due, no
   * revocation list to ask, its tokens there if wanted. Every other case takes `find` and
   * `serve`, which decide the same way with the store's help; this only spares a cached check
   * their promise hops (a few per cent of it).
   */
  private servable(handle: string, tokens: boolean): ActiveSession | undefined {
    if (this.options.revocations !== undefined) return undefined;
    const session = this.cache.get(handle);
    if (session === undefined || (tokens && session.tokensApart === true)) return undefined;
    const now = nowSeconds();
    if (!isLive(session, this.options.lifetime, now) || needsTouch(session, this.options.lifetime, now))
      return undefined;
    this.options.metrics?.cacheLookup(true);
    return { session, handle, setCookies: [] };
  }

  /** The stored `session` at `handle` as the answer to `get`: undefined when not live or revoked; touched when due. */
  protected async serve(handle: string, session: Session, cookies: Cookies): Promise<ActiveSession | undefined> {
    if (!isLive(session, this.options.lifetime)) return undefined;
    if (this.options.revocations !== undefined && (await this.options.revocations.isRevoked(session))) return undefined;
    // Most reads find no touch due: they skip touch and its promise.
    const setCookies = needsTouch(session, this.options.lifetime) ? await this.touch(handle, session, cookies) : [];
    return setCookies === undefined ? undefined : { session, handle, setCookies };
  }

  /** Records a use of the session, called by `serve` only when one is due; its Set-Cookie values, or undefined when it ended meanwhile. */
  protected async touch(handle: string, session: Session, cookies: Cookies): Promise<string[] | undefined> {
    const { lifetime } = this.options;
    const now = nowSeconds();
    if (!this.store.inCookie) {
      this.cache.drop(handle);
      return this.store.replace(handle, { ...session, lastSeenAt: now }, cookies);
    }
    const previous = this.cache.touched(handle, now);
    if (previous !== undefined) return previous;
    const setCookies = await this.store.replace(handle, { ...session, lastSeenAt: now }, cookies);
    // Reuse is safe for as long as a touch would not be due again on the refreshed session.
    const interval = Math.min(60, Math.floor(lifetime.idleTimeout / 10));
    if (setCookies !== undefined) this.cache.rememberTouch(handle, { until: now + interval, setCookies });
    return setCookies;
  }

  /**
   * The session at `handle` read again from its store, past the cache (which it then
   * updates): what another replica may have written meanwhile. Undefined when it is
   * gone or no longer live. `setCookies` are the values a client must get to hold it.
   */
  async resume(handle: string, setCookies: string[] = []): Promise<ActiveSession | undefined> {
    const session = await this.store.read(handle);
    if (session === undefined || !isLive(session, this.options.lifetime)) {
      this.forget(handle);
      return undefined;
    }
    this.cache.set(handle, session);
    return { session, handle, setCookies };
  }

  /** The handle these cookies name, or undefined (no I/O). */
  handleOf(cookies: Cookies): string | undefined {
    return this.store.handle(cookies);
  }

  /** True when the session lives in its cookie, so a changed session has a new handle. */
  get inCookie(): boolean {
    return this.store.inCookie;
  }

  /** A short stable key naming this session, for locks and logs; it reveals nothing of the cookie. */
  sessionKey(active: ActiveSession): string {
    return this.store.inCookie
      ? createHash('sha256').update(active.handle).digest('base64url').slice(0, 22)
      : active.handle;
  }
}
