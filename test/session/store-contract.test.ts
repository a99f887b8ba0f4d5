import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/observability/logger.js';
import { createSessionStore } from '../../src/session/create-store.js';
import { nowSeconds, type Session } from '../../src/session/session.js';
import type { SessionStore } from '../../src/session/store.js';
import { baseEnv } from '../fixtures/env.js';
import { cookieHeader } from '../support/harness.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';

const silent = createLogger('silent');

function newSession(overrides: Partial<Session> = {}): Session {
  const now = nowSeconds();
  return { sub: 'user-1', sid: `sid-${Math.random()}`, claims: { sub: 'user-1', name: 'Alice', groups: ['a'] }, idToken: 'id.token.x', accessToken: 'access', refreshToken: 'refresh', createdAt: now, lastSeenAt: now, expiresAt: now + 3600, ...overrides };
}

function asCookies(header: string): Record<string, string> {
  return Object.fromEntries(header.split('; ').filter(Boolean).map((c) => [c.slice(0, c.indexOf('=')), c.slice(c.indexOf('=') + 1)]));
}

/** Resolves once the store's backend answers ping (redis connects in the background); fails after 10 s. */
async function untilReachable(store: SessionStore): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      return await store.ping();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis.stop();
});

// One contract, every adapter.
describe.each(['cookie', 'memory', 'redis'] as const)('%s session store', (kind) => {
  let store: SessionStore;
  let other: SessionStore;
  beforeAll(async () => {
    const env = { ...baseEnv, SESSION_STORE: kind, REDIS_URL: redis.url, COOKIE_NAME_PREFIX: `_c${kind}_` };
    store = await createSessionStore(loadConfig(env), silent);
    other = await createSessionStore(loadConfig({ ...env, SESSION_SECRET: 'ffffffffffffffffffffffffffffffff' }), silent);
    await Promise.all([untilReachable(store), untilReachable(other)]);
  });
  afterAll(async () => {
    await store.close();
    await other.close();
  });

  async function created(session = newSession()): Promise<Record<string, string>> {
    return asCookies(cookieHeader(await store.create(session, {})));
  }

  it('gives back the session it stored', async () => {
    const session = newSession();
    const loaded = await store.load(await created(session));
    expect(loaded?.session).toEqual(session);
  });

  it('sets HttpOnly, Secure, SameSite=Lax, Path=/ cookies under the prefix', async () => {
    const setCookies = await store.create(newSession(), {});
    for (const line of setCookies) {
      expect(line).toMatch(new RegExp(`^_c${kind}_session`));
      expect(line).toMatch(/HttpOnly/);
      expect(line).toMatch(/Secure/);
      expect(line).toMatch(/SameSite=Lax/);
      expect(line).toMatch(/Path=\//);
    }
  });

  it('treats no cookie, garbage, truncated and tampered cookies as no session', async () => {
    const cookies = await created();
    const name = `_c${kind}_session`;
    const value = cookies[name] ?? '';
    expect(await store.load({})).toBeUndefined();
    expect(await store.load({ [name]: 'garbage' })).toBeUndefined();
    expect(await store.load({ [name]: value.slice(0, -5) })).toBeUndefined();
    const flipped = value.slice(0, 20) + (value[20] === 'A' ? 'B' : 'A') + value.slice(21);
    expect(await store.load({ ...cookies, [name]: flipped })).toBeUndefined();
    expect(await store.load({ [name]: 'x'.repeat(100_000) })).toBeUndefined();
  });

  it('refuses a cookie made with another SESSION_SECRET', async () => {
    const foreign = asCookies(cookieHeader(await other.create(newSession(), {})));
    expect(await store.load(foreign)).toBeUndefined();
  });

  it('refuses a session past its absolute lifetime', async () => {
    const past = nowSeconds() - 10;
    const session = newSession({ createdAt: past - 100, lastSeenAt: past - 1, expiresAt: past });
    const cookies = asCookies(cookieHeader(await store.create({ ...session, expiresAt: nowSeconds() + 60 }, {})));
    expect(await store.load(cookies)).toBeDefined();
    expect(await store.load(await created(session).catch(() => ({})))).toBeUndefined();
  });

  it('refuses a session idle longer than the idle timeout', async () => {
    const session = newSession({ lastSeenAt: nowSeconds() - 3601 });
    expect(await store.load(await created(session))).toBeUndefined();
  });

  it('records use when due, keeping the session alive', async () => {
    const cookies = await created(newSession({ lastSeenAt: nowSeconds() - 120 }));
    const loaded = await store.load(cookies);
    if (!loaded) throw new Error('no session');
    const after = { ...cookies, ...asCookies(cookieHeader(await store.touch(loaded, cookies))) };
    const again = await store.load(after);
    expect(again?.session.lastSeenAt).toBeGreaterThanOrEqual(nowSeconds() - 1);
  });

  it('never brings back a session that was destroyed after it was loaded', async () => {
    const cookies = await created(newSession({ lastSeenAt: nowSeconds() - 120 }));
    const loaded = await store.load(cookies);
    if (!loaded) throw new Error('no session');
    await store.destroy(cookies);
    const touched = await store.touch(loaded, cookies);
    if (kind === 'cookie') {
      expect(touched).toBeDefined(); // nothing server side to consult; the browser's cookie was cleared
    } else {
      expect(touched).toBeUndefined();
      expect(await store.load(cookies)).toBeUndefined();
    }
  });

  it('destroys the session and returns a clearing cookie', async () => {
    const cookies = await created();
    const cleared = await store.destroy(cookies);
    expect(cleared.join()).toMatch(/Max-Age=0|Expires=Thu, 01 Jan 1970/);
    if (kind !== 'cookie') expect(await store.load(cookies)).toBeUndefined();
  });

  it('splits a large session across cookies under 4 KB each and reassembles it', async () => {
    const groups = Array.from({ length: 150 }, (_, i) => `0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f${i}`);
    const session = newSession({ claims: { sub: 'user-1', groups }, accessToken: 'a'.repeat(2500), idToken: 'i'.repeat(2000) });
    const setCookies = await store.create(session, {});
    for (const line of setCookies) expect(line.length).toBeLessThan(4096);
    if (kind === 'cookie') expect(setCookies.length).toBeGreaterThan(1);
    expect((await store.load(asCookies(cookieHeader(setCookies))))?.session).toEqual(session);
  });

  it('ends every session of a provider sid when it keeps sessions server side', async () => {
    const session = newSession({ sid: 'provider-sid-1' });
    const a = await created(session);
    const b = await created(session);
    const ended = await store.destroyBySid('provider-sid-1');
    if (kind === 'cookie') {
      expect(ended).toBe(0);
    } else {
      expect(ended).toBe(2);
      expect(await store.load(a)).toBeUndefined();
      expect(await store.load(b)).toBeUndefined();
    }
  });

  it('answers ping when its backend is reachable', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
  });
});
