import { randomBytes } from 'node:crypto';
import { isAppError } from '../errors/app-error.js';
import type { BackendLock } from './backend.js';
import { SessionReader, type ActiveSession } from './session-reader.js';
import { isLive, splitTokens, type Session } from './session.js';
import type { Cookies } from './store.js';

/** The outcome of `withLock`: the work's value, or `locked: false` when another holder had the lock. */
export type LockOutcome<T> = { readonly locked: true; readonly value: T } | { readonly locked: false };

/**
 * Session semantics over a store that only stores: what `SessionReader` reads, plus login
 * without fixation, content updates, logout, ending by sid or sub, and locks for work
 * that must run once per session across replicas (token refresh).
 */
export class SessionManager extends SessionReader {
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

  /** Stores a short-lived value shared by replicas where the store can (a refresh's result for waiters). */
  putNote(key: string, value: string, ttlSeconds: number): Promise<void> {
    return this.store.putNote(key, value, ttlSeconds);
  }

  /** A value `putNote` stored, while it lives. */
  getNote(key: string): Promise<string | undefined> {
    return this.store.getNote(key);
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
