import { AppError } from '../errors/app-error.js';
import { isUnreachable } from './circuit-breaker.js';
import type { SessionFallback } from './fallback.js';
import type { OutageSessions } from './outage-sessions.js';
import { SessionManager } from './session-manager.js';
import type { ActiveSession, GetOptions, SessionManagerOptions } from './session-reader.js';
import { isLive, type Session } from './session.js';
import type { Cookies } from './store.js';

/** The redis store's manager options plus the fallback's collaborators. */
export interface FallbackSessionManagerOptions extends SessionManagerOptions {
  /** Copies of Redis sessions, locally ended ids, queued deletes, restore. */
  readonly copies: SessionFallback;
  /** Sessions made at a login while Redis was unreachable. */
  readonly outage: OutageSessions;
}

/**
 * `SESSION_FALLBACK=cookie`: the redis store's session manager whose sessions
 * survive a Redis outage. Redis answers → as without the fallback, plus the copy
 * (`<prefix>session_fb`) kept fresh. Redis cannot answer (error, timeout, open
 * circuit) → the copy stands in. Redis answers "not found" → no session, ever from
 * a copy (except a restore after a data loss, opt-in). Logins and logouts during
 * the outage go to `OutageSessions` and the queue.
 */
export class FallbackSessionManager extends SessionManager {
  private readonly copies: SessionFallback;
  private readonly outage: OutageSessions;

  constructor(options: FallbackSessionManagerOptions) {
    super(options);
    this.copies = options.copies;
    this.outage = options.outage;
  }

  override cookieNames(): string[] {
    return [...new Set([...super.cookieNames(), ...this.copies.cookieNames()])];
  }

  override readonly bridgesOutages: boolean = true;

  /** The copy, and an outage session's cookie and chunks, these cookies still hold. */
  override leftovers(cookies: Cookies): string[] {
    return this.copies.clear(cookies, this.handleOf(cookies) === undefined);
  }

  /** Always `get`: copies and outage sessions take its path. */
  override lookup(cookies: Cookies, options: GetOptions = {}): Promise<ActiveSession | undefined> {
    return this.get(cookies, options);
  }

  override async get(cookies: Cookies, options: GetOptions = {}): Promise<ActiveSession | undefined> {
    const handle = this.handleOf(cookies);
    if (handle === undefined) return this.outage.get(cookies);
    let session: Session | undefined;
    try {
      session = await this.find(handle, options.tokens ?? true);
    } catch (err) {
      if (isUnreachable(err)) return this.copies.fromCopy(handle, cookies, err);
      throw err;
    }
    if (session === undefined) return this.copies.notFound(handle, cookies);
    if (this.copies.isEnded(handle)) return undefined;
    const active = await this.serve(handle, session, cookies);
    if (active === undefined || this.copies.fresh(handle, cookies)) return active;
    const copy = await this.copies.confirmed(handle, session, cookies);
    return copy.length === 0 ? active : { ...active, setCookies: [...active.setCookies, ...copy] };
  }

  /** A session read a moment ago but not writable now is served; its touch is retried on a later check. */
  protected override async touch(handle: string, session: Session, cookies: Cookies): Promise<string[] | undefined> {
    try {
      return await super.touch(handle, session, cookies);
    } catch (err) {
      if (!isUnreachable(err)) throw err;
      return [];
    }
  }

  /** A login: a Redis session and its copy, or an outage cookie session while Redis cannot answer. */
  protected override async start(session: Session, cookies: Cookies): Promise<string[]> {
    try {
      const { handle, setCookies } = await this.store.write(session, cookies);
      this.written(handle);
      const copy = await this.copies.confirmed(handle, session, {}, true);
      return [...setCookies, ...this.copies.clearChunks(cookies), ...copy];
    } catch (err) {
      if (!isUnreachable(err)) throw err;
      return this.outage.create(session, cookies);
    }
  }

  /** Ends the session at `handle` here at once; a delete Redis cannot take now is queued and retried. */
  protected override async remove(handle: string): Promise<void> {
    this.copies.markEnded(handle);
    const run = async () => {
      await this.store.delete(handle);
      await this.copies.deleted(handle);
    };
    try {
      await run();
    } catch (err) {
      if (!isUnreachable(err)) throw err;
      this.copies.queue(`sess:${handle}`, run);
    }
  }

  override async update(active: ActiveSession, next: Session, cookies: Cookies): Promise<string[] | undefined> {
    if (active.degraded) {
      throw new AppError(
        'SESSION_STORE_UNAVAILABLE',
        'Sessions are unavailable right now. Please try again in a moment.',
        'a session served without Redis cannot be updated',
      );
    }
    const setCookies = await super.update(active, next, cookies);
    if (setCookies === undefined) return undefined;
    return [...setCookies, ...(await this.copies.confirmed(active.handle, next, cookies, true))];
  }

  override async end(
    cookies: Cookies,
  ): Promise<{ readonly session: Session | undefined; readonly setCookies: string[] }> {
    const outage = this.handleOf(cookies) === undefined ? await this.outage.end(cookies) : undefined;
    const result = await super.end(cookies);
    const session =
      result.session ?? (outage !== undefined && isLive(outage, this.options.lifetime) ? outage : undefined);
    return { session, setCookies: [...result.setCookies, ...this.copies.clear(cookies)] };
  }

  override async close(): Promise<void> {
    this.copies.close();
    await super.close();
  }
}
