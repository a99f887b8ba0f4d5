import { nowSeconds, type Session } from '../../src/session/session.js';
import type { SessionManager } from '../../src/session/session-manager.js';

/** A session as the callback makes it, with `overrides`. */
export function newSession(overrides: Partial<Session> = {}): Session {
  const now = nowSeconds();
  return {
    sub: 'user-1',
    sid: `sid-${Math.random()}`,
    claims: { sub: 'user-1', name: 'Alice', groups: ['a'] },
    idToken: 'id.token.x',
    accessToken: 'access',
    refreshToken: 'refresh',
    createdAt: now,
    lastSeenAt: now,
    expiresAt: now + 3600,
    ...overrides,
  };
}

/** Set-Cookie values (or a Cookie header) as parsed request cookies, dropping cleared ones. */
export function asCookies(setCookies: readonly string[]): Record<string, string> {
  const pairs = setCookies.filter((c) => !/max-age=0/i.test(c)).map((c) => c.split(';')[0] ?? '');
  return Object.fromEntries(pairs.map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]));
}

/** Resolves once the manager's backend answers ping (Redis connects in the background), instead of sleeping. */
export async function whenReachable(sessions: SessionManager, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      await sessions.ping();
      return;
    } catch (err) {
      if (Date.now() > until) throw err;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
