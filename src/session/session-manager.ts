import { createHash, randomBytes } from 'node:crypto';
import { isAppError } from '../errors/app-error.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { BackendLock } from './backend.js';
import type { RevocationList } from './revocations.js';
import { SessionCache } from './session-cache.js';
import { isLive, needsTouch, nowSeconds, splitTokens, type Session, type SessionLifetime } from './session.js';
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

/** The outcome of `withLock`: the work's value, or `locked: false` when another holder had the lock. */
export type LockOutcome<T> = { readonly locked: true; readonly value: T } | { readonly locked: false };

/**
 * Session semantics over a store that only stores: liveness (absolute and idle
 * lifetime), the in-process cache, touches that never revive an ended session,
 * login without fixation, content updates, logout, ending by sid or sub, and
 * locks for work that must run once per session across replicas (token refresh).
 */
export class SessionManager {
  /** `cookie`, `redis` or `memory`. */
  readonly kind: string;
  protected readonly store: SessionStore;
  private readonly cache: SessionCache;

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
   * Starts a session at login under a new id and returns its Set-Cookie values
   * (clearing leftover chunks). The session these cookies held before is ended
   * first, so a planted session id never becomes the user's (no fixation).
   */
  async create(session: Session, cookies: Cookies): Promise<string[]> {
    const old = this.store.handle(cookies);
    if (old !== undefined) {
      this.forget(old);
      try {
        await this.remove(old);
      } catch (err) {
        this.options.logger.warn(
          { event: 'session', err: { message: (err as Error).message }, code: isAppError(err) ? err.code : 'INTERNAL' },
          'could not end the previous session at login',
        );
      }
    }
    const jti = session.jti ?? randomBytes(16).toString('base64url');
    return this.start({ ...session, jti }, cookies);
  }

  /** Writes a new session; its Set-Cookie values. */
  protected async start(session: Session, cookies: Cookies): Promise<string[]> {
    const { handle, setCookies } = await this.store.write(session, cookies);
    this.written(handle);
    return setCookies;
  }

  /** A session just written at login comes back at once (the redirect): its first read is cached. */
  protected written(handle: string): void {
    this.cache.written(handle);
  }

  /** Deletes the session at `handle` from its store. */
  protected remove(handle: string): Promise<void> {
    return this.store.delete(handle);
  }

  /**
   * Replaces the content of a live session (new tokens after a refresh). Never
   * revives a session ended meanwhile (undefined then) and never extends it: its
   * start and absolute end stay. Returns the Set-Cookie values to send.
   */
  async update(active: ActiveSession, next: Session, cookies: Cookies): Promise<string[] | undefined> {
    const current = active.session;
    const session: Session = {
      ...(await this.withStoredTokens(active.handle, next)),
      createdAt: current.createdAt,
      expiresAt: Math.min(next.expiresAt, current.expiresAt),
    };
    this.forget(active.handle);
    if (!isLive(session, this.options.lifetime)) return undefined;
    return this.store.replace(active.handle, session, cookies);
  }

  /** `next` whole: one made from a session read without its tokens takes the tokens it does not set from the store. */
  private async withStoredTokens(handle: string, next: Session): Promise<Session> {
    if (next.tokensApart !== true) return next;
    const stored = await this.store.read(handle, true);
    const { rest } = splitTokens(next);
    return {
      ...rest,
      idToken: next.idToken ?? stored?.idToken,
      accessToken: next.accessToken ?? stored?.accessToken,
      refreshToken: next.refreshToken ?? stored?.refreshToken,
    };
  }

  /**
   * Ends the session these cookies hold (logout). Returns the session it was, if
   * live and readable (for `id_token_hint`), and the Set-Cookie values that clear
   * it. A failed read is logged; a failed delete throws (503), since it would leave the session alive.
   */
  async end(cookies: Cookies): Promise<{ readonly session: Session | undefined; readonly setCookies: string[] }> {
    const handle = this.store.handle(cookies);
    let session: Session | undefined;
    if (handle !== undefined) {
      try {
        session = await this.find(handle);
      } catch (err) {
        this.options.logger.warn(
          { event: 'session', err: { message: (err as Error).message } },
          'could not read the session being ended',
        );
      }
      this.forget(handle);
      await this.remove(handle);
    }
    const live = session !== undefined && isLive(session, this.options.lifetime) ? session : undefined;
    // A copy of this cookie would stay valid: revoke it on every replica (a failure throws, 503).
    if (live?.jti !== undefined) await this.options.revocations?.revoke('jti', live.jti);
    return { session: live, setCookies: this.store.clear(cookies) };
  }

  /** Ends every session of the provider's `sid` (front- and back-channel logout); returns how many server sessions ended (0 for the cookie store, whose sessions are revoked instead when it has Redis). */
  endBySid(sid: string): Promise<number> {
    return this.endBy('sid', sid);
  }

  /** Ends every session of the user `sub` (back-channel logout without sid); returns how many server sessions ended (0 for the cookie store, revoked instead when it has Redis). */
  endBySub(sub: string): Promise<number> {
    return this.endBy('sub', sub);
  }

  private async endBy(by: 'sid' | 'sub', value: string): Promise<number> {
    await this.options.revocations?.revoke(by, value);
    const ended = await this.store.deleteBy(by, value);
    for (const handle of ended) this.forget(handle);
    return ended.length;
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

  /** Stores a short-lived value shared by replicas where the store can (a refresh's result for waiters). */
  putNote(key: string, value: string, ttlSeconds: number): Promise<void> {
    return this.store.putNote(key, value, ttlSeconds);
  }

  /** A value `putNote` stored, while it lives. */
  getNote(key: string): Promise<string | undefined> {
    return this.store.getNote(key);
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

  /** Takes the lock `key` for `ttlMs` (shared by replicas for redis, in-process otherwise); undefined while another holder has it. */
  lock(key: string, ttlMs: number): Promise<BackendLock | undefined> {
    return this.store.lock(key, ttlMs);
  }

  /** Runs `work` holding the lock `key`, then releases it; `locked: false` without running when the lock is held. */
  async withLock<T>(key: string, ttlMs: number, work: () => Promise<T>): Promise<LockOutcome<T>> {
    const lock = await this.lock(key, ttlMs);
    if (lock === undefined) return { locked: false };
    try {
      return { locked: true, value: await work() };
    } finally {
      await lock
        .release()
        .catch((err: unknown) =>
          this.options.logger.warn(
            { event: 'session', err: { message: (err as Error).message } },
            'could not release a lock; it expires on its own',
          ),
        );
    }
  }

  /**
   * True the first time `key` is claimed within `ttlMs` (a logout token's `jti`), on
   * every replica sharing the store's backend (in-process for memory, and for the
   * cookie store without Redis). Never released: it expires.
   */
  async claimOnce(key: string, ttlMs: number): Promise<boolean> {
    return (await this.store.lock(`once:${key}`, ttlMs)) !== undefined;
  }

  /** True when cookie sessions can be revoked on every replica (`REDIS_URL` with the cookie store), or the store is server side. */
  get revocable(): boolean {
    return !this.store.inCookie || this.options.revocations !== undefined;
  }

  /** Throws when the store's backend cannot be reached (readiness). */
  ping(): Promise<void> {
    return this.store.ping();
  }

  /** Drops the caches and closes the store's connection. */
  async close(): Promise<void> {
    this.cache.clear();
    await this.store.close();
  }
}
