import { guarded } from './backend.js';
import { isUnreachable } from './circuit-breaker.js';
import { setCookie } from './cookies.js';
import type { SessionFallback, SessionFallbackOptions } from './fallback.js';
import type { ActiveSession } from './session-reader.js';
import { isLive, nowSeconds, type Session } from './session.js';
import type { Cookies } from './store.js';

/** The marker of an outage session that was logged out: it never migrates. */
const ENDED = 'ended';

/**
 * Sessions made at a login while Redis was unreachable: full cookie sessions
 * (the cookie-store format, `origin: "fallback"`) that move into Redis on the first
 * request after it returns. `<ns>fbsess:<jti>` records the move (the new `s:` value,
 * so parallel requests and other replicas reuse it) or a logout (`ended`). Without
 * Redis such a session is trusted for `SESSION_FALLBACK_MAX_AGE` after its login.
 */
export class OutageSessions {
  constructor(
    private readonly options: SessionFallbackOptions,
    private readonly fallback: SessionFallback,
  ) {}

  private call<T>(operation: string, work: () => Promise<T>): Promise<T> {
    return guarded(this.options.backend.kind, operation, work, this.options.metrics);
  }

  private ttl(session: Session): number {
    return Math.max(1, session.expiresAt - nowSeconds());
  }

  /** Starts a session while Redis is unreachable: Set-Cookie values of an outage cookie session. */
  async create(session: Session, cookies: Cookies): Promise<string[]> {
    const { setCookies } = await this.options.outage.write({ ...session, origin: 'fallback' }, cookies);
    this.options.metrics?.fallbackEvents.inc({ event: 'outage_login' });
    this.options.logger.warn(
      { event: 'session_fallback_login', sub: session.sub },
      'session fallback: login while Redis is unreachable; the session lives in its cookie until Redis returns',
    );
    const copy =
      cookies[this.options.copyName] !== undefined ? this.fallback.clear({ [this.options.copyName]: '' }) : [];
    return [...setCookies, ...copy];
  }

  /** The outage session these cookies hold (no `s:` cookie), live and not ended here, or undefined. */
  private async open(cookies: Cookies): Promise<{ raw: string; session: Session & { jti: string } } | undefined> {
    const raw = this.options.outage.handle(cookies);
    if (raw === undefined || raw.startsWith('s:')) return undefined;
    const session = await this.options.outage.read(raw);
    if (session?.origin !== 'fallback' || session.jti === undefined || !isLive(session, this.options.lifetime))
      return undefined;
    return this.fallback.isEnded(session.jti) ? undefined : { raw, session: { ...session, jti: session.jti } };
  }

  /**
   * The outage session these cookies hold: moved into Redis when Redis answers (the
   * cookie becomes `s:`), served as is while it cannot (until SESSION_FALLBACK_MAX_AGE
   * after its login), undefined when it is not one or was logged out.
   */
  async get(cookies: Cookies): Promise<ActiveSession | undefined> {
    const found = await this.open(cookies);
    if (found === undefined) return undefined;
    try {
      return await this.migrate(found.session, cookies, true);
    } catch (err) {
      if (!isUnreachable(err) || nowSeconds() >= found.session.createdAt + this.options.maxAge) throw err;
      this.options.metrics?.fallbackEvents.inc({ event: 'outage_session' });
      return { session: found.session, handle: found.raw, setCookies: [], degraded: true };
    }
  }

  private async migrate(
    session: Session & { jti: string },
    cookies: Cookies,
    retry: boolean,
  ): Promise<ActiveSession | undefined> {
    const { backend, store, sessionName, policy } = this.options;
    const key = `fbsess:${session.jti}`;
    const marker = await this.call('get', () => backend.get(key));
    if (marker === ENDED) return undefined;
    const chunks = this.fallback.clearChunks(cookies);
    if (marker?.startsWith('s:')) {
      // Moved already (a parallel request, another replica): use that record.
      const id = store.handle({ [sessionName]: marker });
      const record = id === undefined ? undefined : await store.read(id);
      if (id === undefined || record === undefined || !isLive(record, this.options.lifetime)) return undefined;
      const cookie = setCookie(sessionName, marker, this.ttl(record), policy);
      const copy = await this.fallback.confirmed(id, record, cookies);
      return { session: record, handle: id, setCookies: [cookie, ...chunks, ...copy] };
    }
    const { origin: _origin, ...plain } = session;
    const written = await store.write(plain, cookies);
    const signed = written.setCookies[0].slice(sessionName.length + 1).split(';')[0];
    if (!(await this.call('set', () => backend.setIfAbsent(key, signed, this.ttl(session))))) {
      await store.delete(written.handle);
      return retry ? this.migrate(session, cookies, false) : undefined;
    }
    this.options.metrics?.fallbackEvents.inc({ event: 'migrated' });
    this.options.logger.info(
      { event: 'session_fallback_migrated', sub: session.sub },
      'outage session moved into Redis',
    );
    const copy = await this.fallback.issue(written.handle, plain, cookies);
    return { session: plain, handle: written.handle, setCookies: [...written.setCookies, ...chunks, ...copy] };
  }

  /**
   * Logout of an outage session: refused on this replica at once, and `fbsess:<jti>`
   * set to `ended` (deleting the record it may have moved to), queued while Redis is
   * away. Returns the session it was, if it was one.
   */
  async end(cookies: Cookies): Promise<Session | undefined> {
    const found = await this.open(cookies);
    if (found === undefined) return undefined;
    const { session } = found;
    const { backend, store, sessionName } = this.options;
    const key = `fbsess:${session.jti}`;
    this.fallback.markEnded(session.jti);
    const write = async (): Promise<void> => {
      const marker = await backend.get(key);
      const id = marker?.startsWith('s:') ? store.handle({ [sessionName]: marker }) : undefined;
      if (id !== undefined) await store.delete(id);
      await backend.set(key, ENDED, this.ttl(session));
    };
    try {
      await write();
    } catch {
      this.fallback.queue(key, write, session.jti);
    }
    return session;
  }
}
