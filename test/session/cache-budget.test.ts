import { describe, expect, it } from '@jest/globals';
import { createLogger } from '../../src/observability/logger.js';
import { CookieSessionStore } from '../../src/session/cookie-store.js';
import { SessionManager } from '../../src/session/session-manager.js';
import { SESSION_CACHE_MAX_BYTES, nowSeconds, sessionBytes, type Session } from '../../src/session/session.js';

/** A session as large as an Entra one with many groups. */
function bigSession(i: number): Session {
  const now = nowSeconds();
  const groups = Array.from(
    { length: 120 },
    (_, g) => `00000000-0000-4000-8000-${String(i * 1000 + g).padStart(12, '0')}`,
  );
  return {
    sub: `u${i}`,
    claims: { sub: `u${i}`, groups },
    accessToken: 'a'.repeat(3000),
    idToken: 'i'.repeat(2500),
    createdAt: now,
    lastSeenAt: now,
    expiresAt: now + 3600,
  };
}

describe('the in-process session cache', () => {
  it('estimates a session’s size from its tokens and claims', () => {
    const s = bigSession(1);
    expect(sessionBytes(s)).toBeGreaterThan(3000 + 2500 + JSON.stringify(s.claims).length);
  });

  it('never holds more than its byte budget, however many large sessions pass', async () => {
    const lifetime = { maxAge: 3600, idleTimeout: 3600 };
    const store = new SessionManager({
      store: new CookieSessionStore({
        secrets: ['0123456789abcdef0123456789abcdef'],
        app: { issuer: 'https://idp.test/', clientId: 'c', domain: 'app.test' },
        cookieName: '_b_session',
        policy: { secure: true, sameSite: 'Lax' },
        lifetime,
      }),
      lifetime,
      cacheSize: 100_000,
      logger: createLogger('silent'),
    });
    const cache = (store as unknown as { cache: { calculatedSize: number; size: number } }).cache;
    let loaded = 0;
    for (let i = 0; i < 1600; i++) {
      const setCookies = await store.create(bigSession(i), {});
      const cookies = Object.fromEntries(
        setCookies
          .map((c) => c.split(';')[0] ?? '')
          .map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]),
      );
      if (await store.get(cookies)) loaded++;
    }
    expect(loaded).toBe(1600);
    expect(cache.calculatedSize).toBeLessThanOrEqual(SESSION_CACHE_MAX_BYTES);
    expect(cache.size).toBeLessThan(1600);
    await store.close();
  });
});
