import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger } from '../../src/observability/logger.js';
import { CookieSessionStore } from '../../src/session/cookie-store.js';
import { parseCookies } from '../../src/session/cookies.js';
import { nowSeconds, type Session } from '../../src/session/session.js';
import { SessionManager } from '../../src/session/session-manager.js';
import type { Cookies } from '../../src/session/store.js';
import { DOMAIN, SESSION_SECRET, cookieHeader, startHarness, type Harness } from '../support/harness.js';
import supertest from 'supertest';

const lifetime = { maxAge: 3600, idleTimeout: 600 };
const app = { issuer: 'https://idp.test/', clientId: 'c', domain: 'app.test' };

function newCookieStore(): CookieSessionStore {
  return new CookieSessionStore({
    secrets: [SESSION_SECRET],
    app,
    cookieName: '_c_session',
    policy: { secure: true, sameSite: 'Lax' },
    lifetime,
  });
}

function managed(store: CookieSessionStore): SessionManager {
  return new SessionManager({ store, lifetime, cacheSize: 100, logger: createLogger('silent') });
}

function cookieStore(): SessionManager {
  return managed(newCookieStore());
}

/** The Set-Cookie values a check of these cookies answers with. */
async function touched(store: SessionManager, cookies: Cookies): Promise<string[]> {
  return (await store.get(cookies))?.setCookies ?? [];
}

function session(lastSeenAgo: number): Session {
  const now = nowSeconds();
  return {
    sub: 'alice',
    claims: { sub: 'alice', name: 'Alice' },
    createdAt: now - lastSeenAgo,
    lastSeenAt: now - lastSeenAgo,
    expiresAt: now + 3000,
  };
}

describe('cookie store: refreshing a session that is due for a touch', () => {
  it('hands the same refreshed cookie to every request still carrying the old one', async () => {
    const store = cookieStore();
    const cookies = parseCookies(cookieHeader(await store.create(session(120), {})));
    const first = await touched(store, cookies);
    const second = await touched(store, cookies);
    expect(first).toHaveLength(1);
    expect(second).toEqual(first);
  });

  it('the refreshed cookie carries the new lastSeenAt and needs no touch itself', async () => {
    const store = cookieStore();
    const cookies = parseCookies(cookieHeader(await store.create(session(120), {})));
    const refreshed = parseCookies(cookieHeader(await touched(store, cookies)));
    const loaded = await store.get(refreshed);
    expect(loaded?.session.lastSeenAt).toBeGreaterThanOrEqual(nowSeconds() - 1);
    expect(loaded?.setCookies).toEqual([]);
  });

  it('forgets the refreshed cookie when the session is ended', async () => {
    const store = cookieStore();
    const cookies = parseCookies(cookieHeader(await store.create(session(120), {})));
    const first = await touched(store, cookies);
    await store.end(cookies);
    const again = await touched(store, cookies);
    expect(again).toHaveLength(1);
    expect(again).not.toEqual(first);
  });
});

describe('the session cache admits a session read a second time', () => {
  /** A cookie store counting its reads. */
  function counted() {
    const store = newCookieStore();
    let reads = 0;
    const read = store.read.bind(store);
    store.read = (handle) => {
      reads++;
      return read(handle);
    };
    return { manager: managed(store), store, reads: () => reads };
  }

  it('caches a session made here at its first read (the login redirect comes straight back)', async () => {
    const { manager, reads } = counted();
    const cookies = parseCookies(cookieHeader(await manager.create(session(0), {})));
    for (let i = 0; i < 3; i++) expect(await manager.get(cookies)).toBeDefined();
    expect(reads()).toBe(1);
  });

  it('reads a session made elsewhere twice before caching it, so one-off sessions never churn the cache', async () => {
    const { manager, store, reads } = counted();
    const elsewhere = parseCookies(cookieHeader((await store.write(session(0), {})).setCookies));
    for (let i = 0; i < 4; i++) expect(await manager.get(elsewhere)).toBeDefined();
    expect(reads()).toBe(2);
  });
});

describe('redis store: the cache of verified cookie signatures', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ store: 'redis' });
  });
  afterAll(async () => {
    await h.close();
  });

  const check = (cookie: string) =>
    supertest(h.baseUrl)
      .get('/oauth2/auth')
      .set({
        'X-Forwarded-Proto': 'https',
        'X-Forwarded-Host': DOMAIN,
        'X-Forwarded-Uri': '/',
        'X-Forwarded-Method': 'GET',
      })
      .set({ Accept: 'application/json', 'Sec-Fetch-Mode': 'cors', Cookie: cookie });

  it('still refuses an altered signature for an id whose real cookie was just verified', async () => {
    const cookie = await h.login('alice');
    await check(cookie).expect(200);
    const value = parseCookies(cookie)._t_session ?? '';
    const last = value.at(-1) === 'A' ? 'B' : 'A';
    await check(`_t_session=${value.slice(0, -1)}${last}`).expect(401);
    await check(`_t_session=${value}x`).expect(401);
    await check(cookie).expect(200);
  });

  it('refuses an id without its signature, even while the signed cookie is cached', async () => {
    const cookie = await h.login('alice');
    await check(cookie).expect(200);
    const value = parseCookies(cookie)._t_session ?? '';
    const id = value.slice(2, value.lastIndexOf('.'));
    await check(`_t_session=s:${id}`).expect(401);
    await check(`_t_session=${id}`).expect(401);
  });
});
