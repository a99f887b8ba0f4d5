import { setTimeout as sleep } from 'node:timers/promises';
import { LRUCache } from 'lru-cache';
import type { RefreshOutcome } from '../../observability/metrics.js';
import type { ActiveSession } from '../../session/session-reader.js';
import { nowSeconds, type Session } from '../../session/session.js';
import type { Cookies } from '../../session/store.js';
import type { GateDeps } from '../flows/context.js';
import { classifyRefreshFailure } from './refresh-outcome.js';
import {
  FAILED_REFRESH_COOLDOWN,
  FORCED_REFRESH_COOLDOWN,
  REFRESH_LOCK_TTL_MS,
  REFRESH_POLL_MS,
  REFRESH_WAIT_MS,
  refreshDueAt,
} from './refresh-policy.js';

/** How a refresh ended for the request: new tokens, the old session kept, or no session any more. */
export type RefreshResult =
  | { readonly kind: 'fresh'; readonly active: ActiveSession }
  | { readonly kind: 'kept'; readonly active: ActiveSession }
  | { readonly kind: 'ended'; readonly setCookies: string[] };

/** What the refreshing holder leaves for the others (`note:refresh:<key>`): never a token in clear. */
type Note =
  | { readonly outcome: 'refreshed'; readonly handle: string; readonly setCookies: string[] }
  | { readonly outcome: 'ended' }
  | { readonly outcome: 'failed' };

/** Applies Set-Cookie values to a request's cookies: what the browser sends next. */
function withSetCookies(cookies: Cookies, setCookies: readonly string[]): Cookies {
  const next: Record<string, string | undefined> = { ...cookies };
  for (const line of setCookies) {
    const pair = line.slice(0, !line.includes(';') ? line.length : line.indexOf(';'));
    const name = pair.slice(0, pair.indexOf('='));
    const value = pair.slice(pair.indexOf('=') + 1);
    next[name] = value === '' || /;\s*max-age=0/i.test(line) ? undefined : value;
  }
  return next;
}

/**
 * Refreshes a session's tokens exactly once however many requests find it due:
 * requests in one process share one promise, replicas take the store's lock
 * (`SET NX PX` in Redis) and the holder leaves its result as a note, which the
 * others read (or, for redis/memory, the updated record) within a bounded wait.
 * Never revives an ended session nor extends `SESSION_MAX_AGE` (`SessionManager.update`).
 */
export class TokenRefresher {
  private readonly inflight = new Map<string, Promise<RefreshResult>>();
  /** Sessions whose last refresh failed here, until the cooldown ends. */
  private readonly cooling = new LRUCache<string, true>({ max: 10_000, ttl: FAILED_REFRESH_COOLDOWN * 1000 });

  /**
   * @param auto whether the session check refreshes due tokens (`TOKEN_REFRESH` on, or auto with
   *   tokens forwarded); when false only `POST /oauth2/session/refresh` does.
   */
  constructor(
    private readonly deps: GateDeps,
    private readonly margin: number,
    readonly auto: boolean,
  ) {}

  /** True when the session's tokens are due. The only cost on the hot path. */
  isDue(session: Session, now = nowSeconds()): boolean {
    const due = refreshDueAt(session, this.margin);
    return due !== undefined && now >= due;
  }

  /** True when a forced refresh would run now (a refresh token, and past the cooldown). */
  canForce(session: Session, now = nowSeconds()): boolean {
    return (
      session.refreshToken !== undefined && now - (session.refreshedAt ?? session.createdAt) >= FORCED_REFRESH_COOLDOWN
    );
  }

  /** Refreshes the session behind `active` (or joins the refresh under way) and says how it ended. */
  refresh(active: ActiveSession, cookies: Cookies, correlationId: () => string): Promise<RefreshResult> {
    const key = this.deps.sessions.sessionKey(active);
    const running = this.inflight.get(key);
    if (running !== undefined) return running;
    const work = this.coordinate(active, cookies, key, correlationId).finally(() => this.inflight.delete(key));
    this.inflight.set(key, work);
    return work;
  }

  private async coordinate(
    active: ActiveSession,
    cookies: Cookies,
    key: string,
    correlationId: () => string,
  ): Promise<RefreshResult> {
    const { sessions } = this.deps;
    if (this.cooling.has(key)) return { kind: 'kept', active };
    const deadline = performance.now() + REFRESH_WAIT_MS;
    try {
      for (;;) {
        const settled = await this.settled(active, cookies, key);
        if (settled !== undefined) return settled;
        const lock = await sessions.lock(`refresh:${key}`, REFRESH_LOCK_TTL_MS);
        if (lock !== undefined) {
          try {
            // Another holder may have finished between our look and our lock.
            return (
              (await this.settled(active, cookies, key)) ?? (await this.redeem(active, cookies, key, correlationId))
            );
          } finally {
            await lock.release().catch(() => false);
          }
        }
        if (performance.now() >= deadline) {
          this.count('lock_timeout', active.session, correlationId, undefined);
          return { kind: 'kept', active };
        }
        await sleep(REFRESH_POLL_MS);
      }
    } catch (err) {
      const failure = classifyRefreshFailure(err);
      this.count('failed', active.session, correlationId, failure.reason);
      return { kind: 'kept', active };
    }
  }

  /** The result of a refresh someone else finished, if any. */
  private async settled(active: ActiveSession, cookies: Cookies, key: string): Promise<RefreshResult | undefined> {
    const { sessions } = this.deps;
    if (!sessions.inCookie) {
      const now = await sessions.resume(active.handle);
      if (now === undefined) return { kind: 'ended', setCookies: (await sessions.end(cookies)).setCookies };
      const before = active.session;
      if (
        now.session.refreshedAt !== before.refreshedAt ||
        now.session.accessTokenExpiresAt !== before.accessTokenExpiresAt ||
        now.session.refreshToken !== before.refreshToken
      ) {
        this.count('shared', now.session, undefined, undefined);
        return { kind: 'fresh', active: now };
      }
    }
    const raw = await sessions.getNote(`refresh:${key}`);
    if (raw === undefined) return undefined;
    const note = JSON.parse(raw) as Note;
    if (note.outcome === 'failed') return { kind: 'kept', active };
    if (note.outcome === 'ended') return { kind: 'ended', setCookies: (await sessions.end(cookies)).setCookies };
    if (!sessions.inCookie) return undefined;
    const resumed = await sessions.resume(note.handle, note.setCookies);
    if (resumed === undefined) return { kind: 'ended', setCookies: (await sessions.end(cookies)).setCookies };
    this.count('shared', resumed.session, undefined, undefined);
    return { kind: 'fresh', active: resumed };
  }

  /** Redeems the refresh token, holding the lock, and records the result for the others. */
  private async redeem(
    active: ActiveSession,
    cookies: Cookies,
    key: string,
    correlationId: () => string,
  ): Promise<RefreshResult> {
    const { sessions, oidc } = this.deps;
    const old = active.session;
    let tokens;
    try {
      tokens = await oidc.refresh(old.refreshToken ?? '', old.claims);
    } catch (err) {
      const failure = classifyRefreshFailure(err);
      this.count(failure.outcome, old, correlationId, `${failure.error}: ${failure.reason ?? ''}`, failure.level);
      if (failure.outcome === 'failed') {
        this.cooling.set(key, true);
        await this.note(key, { outcome: 'failed' }, FAILED_REFRESH_COOLDOWN);
        return { kind: 'kept', active };
      }
      // The provider refused, or answered with an id_token that is not the session's: end it.
      const { setCookies } = await sessions.end(cookies);
      await this.note(key, { outcome: 'ended' }, 60);
      return { kind: 'ended', setCookies };
    }
    const now = nowSeconds();
    const next: Session = {
      ...old,
      claims: tokens.claims ?? old.claims,
      idToken: tokens.idToken ?? old.idToken,
      accessToken: tokens.accessToken ?? old.accessToken,
      refreshToken: tokens.refreshToken ?? old.refreshToken,
      accessTokenExpiresAt: tokens.accessTokenExpiresAt,
      refreshedAt: now,
      lastSeenAt: now,
    };
    const setCookies = await sessions.update(active, next, cookies);
    if (setCookies === undefined) {
      this.count('vanished', old, correlationId, undefined);
      return { kind: 'ended', setCookies: (await sessions.end(cookies)).setCookies };
    }
    const handle = sessions.inCookie ? (sessions.handleOf(withSetCookies(cookies, setCookies)) ?? '') : active.handle;
    const stored: Session = { ...next, createdAt: old.createdAt, expiresAt: Math.min(next.expiresAt, old.expiresAt) };
    // Requests still carrying the old cookie reuse this result until the new token is due itself.
    const due = refreshDueAt(stored, this.margin) ?? now + 60;
    await this.note(key, { outcome: 'refreshed', handle, setCookies }, Math.max(60, Math.min(due - now, 3600)));
    this.count('refreshed', stored, correlationId, undefined);
    return { kind: 'fresh', active: { session: stored, handle, setCookies } };
  }

  private async note(key: string, note: Note, ttlSeconds: number): Promise<void> {
    try {
      await this.deps.sessions.putNote(`refresh:${key}`, JSON.stringify(note), ttlSeconds);
    } catch (err) {
      this.deps.logger.warn(
        { event: 'token_refresh', err: { message: (err as Error).message } },
        'could not share the refresh result; other replicas will wait for the lock',
      );
    }
  }

  private count(
    outcome: RefreshOutcome,
    session: Session,
    correlationId: (() => string) | undefined,
    reason: string | undefined,
    level?: 'warn' | 'error',
  ): void {
    this.deps.metrics.tokenRefreshes.inc({ outcome });
    const as = level ?? (outcome === 'refreshed' ? 'info' : outcome === 'shared' ? 'debug' : 'warn');
    this.deps.logger[as](
      { event: 'token_refresh', outcome, correlationId: correlationId?.(), sub: session.sub, sid: session.sid, reason },
      `token refresh: ${outcome}`,
    );
  }
}
