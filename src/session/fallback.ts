import { LRUCache } from 'lru-cache';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { guarded, type Backend } from './backend.js';
import type { CookieSessionStore } from './cookie-store.js';
import { clearCookie, setCookie, type CookiePolicy } from './cookies.js';
import { copyUsable, idHash, sessionOf, type FallbackCodec, type FallbackCopy } from './fallback-copy.js';
import { PendingWrites } from './pending-writes.js';
import { RedisEpoch } from './redis-epoch.js';
import type { ActiveSession } from './session-reader.js';
import { needsTouch, nowSeconds, type Session, type SessionLifetime } from './session.js';
import type { Cookies, SessionStore } from './store.js';

/** What the fallback needs: its codec, the outage-login store, the Redis store and backend, its settings. */
export interface SessionFallbackOptions {
  readonly codec: FallbackCodec;
  /** Cookie sessions for logins while Redis is unreachable (`<prefix>session` … `_5`, the cookie-store format). */
  readonly outage: CookieSessionStore;
  /** The Redis session store. */
  readonly store: SessionStore;
  /** Its backend: the epoch key, the migration and restore markers. */
  readonly backend: Backend;
  readonly lifetime: SessionLifetime;
  /** `SESSION_FALLBACK_MAX_AGE`, seconds. */
  readonly maxAge: number;
  /** `SESSION_FALLBACK_RESTORE`. */
  readonly restore: boolean;
  /** True when tokens must be forwarded (a copy has none, so it cannot serve). */
  readonly forwardsTokens: boolean;
  /** `<prefix>session`. */
  readonly sessionName: string;
  /** `<prefix>session_fb`. */
  readonly copyName: string;
  readonly policy: CookiePolicy;
  readonly logger: Logger;
  readonly metrics?: Metrics | undefined;
}

/** A copy this replica wrote or read for a session Redis confirmed (`value` undefined: skipped, too large). */
interface Issued {
  readonly value: string | undefined;
  readonly fbUntil: number;
  readonly lastSeenAt: number;
  readonly setCookies: string[];
}

const ENDED = 'ended';

/**
 * `SESSION_FALLBACK=cookie`: what `SessionManager` does when Redis cannot answer.
 * Redis sessions are served from their copy (bound to the id, never past `fbUntil`),
 * logins get outage cookie sessions that migrate into Redis, logouts are remembered
 * here and their deletes queued, and after a data loss copies may restore sessions.
 */
export class SessionFallback {
  private readonly issued = new LRUCache<string, Issued>({ max: 10000 });
  private readonly opened = new LRUCache<string, { readonly id: string; readonly copy: FallbackCopy }>({ max: 10000 });
  private readonly touched: LRUCache<string, string[]>;
  /** Session ids and jtis ended on this replica while Redis could not be told. */
  private readonly ended: LRUCache<string, true>;
  private readonly pending: PendingWrites;
  private readonly epoch: RedisEpoch;
  private warnedSkip = false;

  constructor(private readonly options: SessionFallbackOptions) {
    const { lifetime, logger } = options;
    this.ended = new LRUCache({ max: 100000, ttl: lifetime.maxAge * 1000 });
    this.touched = new LRUCache({ max: 10000, ttl: Math.min(60, Math.floor(lifetime.idleTimeout / 10)) * 1000 });
    this.epoch = new RedisEpoch(options.backend);
    this.pending = new PendingWrites({ maxSize: 10000, intervalMs: 1000, logger });
  }

  /** The outage session's cookies and the copy's. */
  cookieNames(): string[] {
    return [...this.options.outage.cookieNames(), this.options.copyName];
  }

  /** True when `key` (a session id or jti) was ended on this replica. */
  isEnded(key: string): boolean {
    return this.ended.size > 0 && this.ended.has(key);
  }

  /** Set-Cookie values clearing the copy and outage-session chunks these cookies hold (not the `s:` cookie). */
  clear(cookies: Cookies, withSession = false): string[] {
    const names = this.cookieNames().slice(withSession ? 0 : 1);
    return names.filter((n) => cookies[n] !== undefined).map((n) => clearCookie(n, this.options.policy));
  }

  /** Set-Cookie values clearing the outage session's extra chunks (`_1` … `_5`) these cookies hold. */
  clearChunks(cookies: Cookies): string[] {
    return this.clear(cookies).filter((c) => !c.startsWith(`${this.options.copyName}=`));
  }

  /** Tries the writes that wait for Redis (logouts) now; they are also retried every second. */
  flush(): Promise<void> {
    return this.pending.flush();
  }

  private call<T>(operation: string, work: () => Promise<T>): Promise<T> {
    return guarded(this.options.backend.kind, operation, work, this.options.metrics);
  }

  private count(event: string): void {
    this.options.metrics?.fallbackEvents.inc({ event });
  }

  private async openCopy(value: string, id: string): Promise<FallbackCopy | undefined> {
    const hit = this.opened.get(value);
    if (hit !== undefined) return hit.id === id ? hit.copy : undefined;
    const copy = await this.options.codec.open(value, id);
    if (copy !== undefined) this.opened.set(value, { id, copy });
    return copy;
  }

  /** Seals a fresh copy for the session Redis just confirmed under `id` (none, counted and logged once, when too large). */
  async issue(id: string, session: Session, cookies: Cookies): Promise<string[]> {
    const { codec, maxAge, copyName, policy, metrics, logger } = this.options;
    const now = nowSeconds();
    const epoch = await this.epoch.current().catch(() => undefined);
    const fbUntil = now + maxAge;
    const value = await codec.seal(id, session, fbUntil, epoch);
    if (value === undefined) {
      metrics?.fallbackSkipped.inc();
      if (!this.warnedSkip) {
        this.warnedSkip = true;
        logger.warn(
          { event: 'session_fallback_skipped' },
          'session fallback: a session copy does not fit one cookie chunk (HEADERS print large claims?): such sessions get 503 during a Redis outage; counted in idp_session_fallback_skipped_total',
        );
      }
      const setCookies = cookies[copyName] !== undefined ? [clearCookie(copyName, policy)] : [];
      this.issued.set(id, { value, fbUntil, lastSeenAt: now, setCookies });
      return setCookies;
    }
    const cookieAge = Math.max(1, Math.min(fbUntil, session.expiresAt) - now);
    const setCookies = [setCookie(copyName, value, cookieAge, policy)];
    this.issued.set(id, { value, fbUntil, lastSeenAt: session.lastSeenAt, setCookies });
    return setCookies;
  }

  private due(known: Issued, now: number): boolean {
    const { maxAge, lifetime } = this.options;
    if (known.value === undefined) return false;
    return known.fbUntil - now < maxAge / 2 || now - known.lastSeenAt > lifetime.idleTimeout / 4;
  }

  /** True when the browser holds the fresh copy this replica knows for `id`: nothing to do (the hot path, synchronous). */
  fresh(id: string, cookies: Cookies): boolean {
    const known = this.issued.get(id);
    return known !== undefined && known.value === cookies[this.options.copyName] && !this.due(known, nowSeconds());
  }

  /**
   * The copy's Set-Cookie values after Redis confirmed the session at `id`: none while
   * the copy the browser holds is fresh (no encryption on the hot path), a new one when
   * it is missing or its fbUntil draws near, or always with `force` (login, refresh).
   */
  async confirmed(id: string, session: Session, cookies: Cookies, force = false): Promise<string[]> {
    const value = cookies[this.options.copyName];
    let known = force ? undefined : this.issued.get(id);
    if (!force && known === undefined && value !== undefined) {
      const copy = await this.openCopy(value, id);
      if (copy !== undefined) {
        known = { value, fbUntil: copy.fbUntil, lastSeenAt: copy.lastSeenAt, setCookies: [] };
        this.issued.set(id, known);
      }
    }
    if (known !== undefined && !this.due(known, nowSeconds())) return known.value === value ? [] : known.setCookies;
    return this.issue(id, session, cookies);
  }

  /**
   * Redis could not answer for the session at `id`: its copy stands in if it decrypts,
   * is bound to `id`, is before min(fbUntil, expiry, idle end) and was not ended here.
   * Otherwise `err` (503) is thrown again. Tokens are not in a copy: a deployment that
   * must forward them gets 503.
   */
  async fromCopy(id: string, cookies: Cookies, err: unknown): Promise<ActiveSession> {
    const value = cookies[this.options.copyName];
    if (this.options.forwardsTokens || value === undefined || this.isEnded(id)) throw err;
    const copy = await this.openCopy(value, id);
    const now = nowSeconds();
    if (copy === undefined || !copyUsable(copy, this.options.lifetime, now)) throw err;
    if (copy.jti !== undefined && this.isEnded(copy.jti)) throw err;
    this.count('copy');
    const session = sessionOf(copy);
    if (!needsTouch(session, this.options.lifetime, now))
      return { session, handle: id, setCookies: [], degraded: true };
    // Re-issued with a new lastSeenAt, its fbUntil unchanged; once per touch interval per copy.
    let setCookies = this.touched.get(value);
    if (setCookies === undefined) {
      const next = await this.options.codec.seal(id, { ...session, lastSeenAt: now }, copy.fbUntil, copy.epoch);
      const age = Math.max(1, Math.min(copy.fbUntil, copy.expiresAt) - now);
      setCookies = next === undefined ? [] : [setCookie(this.options.copyName, next, age, this.options.policy)];
      this.touched.set(value, setCookies);
    }
    return { session, handle: id, setCookies, degraded: true };
  }

  /**
   * Redis answered "not found" for `id`: the session ended and its copy is never used,
   * except with `SESSION_FALLBACK_RESTORE=true` when Redis's epoch differs from the
   * copy's (Redis lost its data): then the session is re-created once from its copy.
   */
  async notFound(id: string, cookies: Cookies): Promise<ActiveSession | undefined> {
    const value = cookies[this.options.copyName];
    const restorable = this.options.restore && value !== undefined && !this.isEnded(id);
    this.markEnded(id);
    if (!restorable || value === undefined) return undefined;
    const copy = await this.openCopy(value, id);
    if (copy?.epoch === undefined || !copyUsable(copy, this.options.lifetime, nowSeconds())) return undefined;
    const { backend, store, lifetime, logger } = this.options;
    if ((await this.call('epoch', () => this.epoch.current(true))) === copy.epoch) return undefined;
    const first = await this.call('restore', () =>
      backend.setIfAbsent(`restored:${copy.idHash}`, '1', lifetime.maxAge),
    );
    if (!first) return undefined;
    const session = sessionOf(copy);
    const written = await store.write(session, cookies);
    this.count('restored');
    logger.info(
      { event: 'session_fallback_restored', sub: session.sub },
      'session restored from its fallback copy after Redis lost its data',
    );
    return {
      session,
      handle: written.handle,
      setCookies: [...written.setCookies, ...(await this.issue(written.handle, session, cookies))],
    };
  }

  /** Refuses the session id or jti `key` on this replica from now on. */
  markEnded(key: string): void {
    this.ended.set(key, true);
  }

  /** Marks `key` (a session id or jti) ended here and retries `run` until Redis takes it. */
  queue(key: string, run: () => Promise<void>, jti?: string): void {
    this.ended.set(key, true);
    if (jti !== undefined) this.ended.set(jti, true);
    this.pending.add(key, Date.now() + this.options.lifetime.maxAge * 1000, run);
    this.count('queued_delete');
    this.options.logger.warn(
      { event: 'session_fallback_queued', pending: this.pending.size },
      'session fallback: logout while Redis is unreachable; cookies cleared, the delete is retried until Redis answers',
    );
  }

  /** The session at `id` was deleted in Redis: forget its copy; a restore can never bring it back. */
  async deleted(id: string): Promise<void> {
    this.issued.delete(id);
    if (!this.options.restore) return;
    await this.options.backend
      .set(`restored:${idHash(id)}`, ENDED, this.options.lifetime.maxAge)
      .catch(() => undefined);
  }

  /** Stops the retries. */
  close(): void {
    this.pending.close();
  }
}
