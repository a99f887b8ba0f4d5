import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import supertest from 'supertest';
import { createLogger } from '../../src/observability/logger.js';
import { Metrics } from '../../src/observability/metrics.js';
import { startService, type RunningService } from '../../src/server.js';
import { sample } from '../observability/metrics-text.js';
import { fakeClock, type FakeClock } from '../support/fake-clock.js';
import { DOMAIN, cookieHeader, startHarness, type Harness } from '../support/harness.js';
import { ALICE_CLAIMS, asCookies, seedSession } from '../support/seed-session.js';

const HOUR = 3600;

/** A script request (never redirected): 200 with a live session, else 401. */
function check(baseUrl: string, cookie: string) {
  return supertest(baseUrl)
    .get('/oauth2/auth')
    .set({
      'X-Forwarded-Proto': 'https',
      'X-Forwarded-Host': DOMAIN,
      'X-Forwarded-Uri': '/data',
      'X-Forwarded-Method': 'GET',
    })
    .set({ Accept: 'application/json', 'Sec-Fetch-Mode': 'cors', Cookie: cookie });
}

const setCookiesOf = (res: supertest.Response): string[] =>
  (res.headers['set-cookie'] as unknown as string[] | undefined) ?? [];
const sessionCookieNames = (cookie: string): string[] =>
  Object.keys(asCookies(cookie)).filter((name) => name.startsWith('_t_session'));

/** A session large enough for several cookie chunks: an Entra user in 150 groups. */
const bigSession = {
  claims: {
    ...ALICE_CLAIMS,
    groups: Array.from({ length: 150 }, (_, i) => `0f1e2d3c-4b5a-6978-8796-a5b4c3d2e${String(i).padStart(3, '0')}`),
  },
  accessToken: 'a'.repeat(4000),
};

let clock: FakeClock | undefined;
afterEach(() => {
  clock?.restore();
  clock = undefined;
});

describe.each(['cookie', 'redis'] as const)('an ageing session through forwardAuth (%s store)', (store) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ store });
  });
  afterAll(async () => {
    await h.close();
  });

  it('stays alive past the idle timeout counted from its first use, because each use is recorded', async () => {
    clock = fakeClock();
    const seeded = await seedSession(h.service.sessions, { expiresAt: Math.floor(Date.now() / 1000) + 8 * HOUR });
    clock.advance(120); // a touch is due (a tenth of the idle timeout, at most a minute)
    const used = await check(h.baseUrl, seeded.cookie).expect(200);
    const refreshed = cookieHeader(setCookiesOf(used), seeded.cookie);
    if (store === 'cookie') {
      // The cookie is the session: the refreshed one must reach the browser on the 200.
      expect(setCookiesOf(used)).toEqual([expect.stringMatching(/^_t_session=[^;]+;.*Max-Age=\d+/)]);
      expect(refreshed).not.toBe(seeded.cookie);
    } else {
      expect(setCookiesOf(used)).toEqual([]);
    }
    clock.advance(HOUR - 60); // an hour and a minute after the seed, 59 minutes after the use
    await check(h.baseUrl, refreshed).expect(200);
    if (store === 'cookie') await check(h.baseUrl, seeded.cookie).expect(401); // the unrefreshed cookie is idle too long
  });

  it('ends at the idle timeout when it is not used', async () => {
    clock = fakeClock();
    const seeded = await seedSession(h.service.sessions, { expiresAt: Math.floor(Date.now() / 1000) + 8 * HOUR });
    clock.advance(HOUR + 1);
    await check(h.baseUrl, seeded.cookie).expect(401);
  });

  it('clears every cookie chunk of a large session at logout', async () => {
    const seeded = await seedSession(h.service.sessions, bigSession);
    if (store === 'cookie') expect(sessionCookieNames(seeded.cookie).length).toBeGreaterThanOrEqual(3);
    await check(h.baseUrl, seeded.cookie).expect(200);
    const out = await h.forward('/oauth2/logout', { cookie: seeded.cookie }).expect(302);
    const left = cookieHeader(setCookiesOf(out), seeded.cookie);
    expect(sessionCookieNames(left)).toEqual([]);
  });

  it('leaves no stale chunk behind when a smaller session replaces a large one', async () => {
    const big = await seedSession(h.service.sessions, bigSession);
    const after = await h.login('alice', '/', big.cookie);
    if (store === 'cookie')
      expect(sessionCookieNames(after).length).toBeLessThan(sessionCookieNames(big.cookie).length);
    else expect(sessionCookieNames(after)).toEqual(['_t_session']);
    const res = await check(h.baseUrl, after).expect(200);
    expect(res.headers['x-forwarded-user']).toBe('Alice Andersen');
  });
});

describe('a cached session whose refresh finds it logged out on another replica (redis store)', () => {
  let h: Harness;
  let replicaB: RunningService;
  let urlB: string;
  const metricsB = new Metrics();
  const hitsB = async () =>
    sample(await metricsB.registry.metrics(), 'idp_session_cache_lookups_total', { result: 'hit' });

  beforeAll(async () => {
    h = await startHarness({ store: 'redis' });
    const sink = new Writable({
      write(_chunk, _enc, done) {
        done();
      },
    });
    replicaB = await startService(h.config, { logger: createLogger('warn', sink), metrics: metricsB });
    await replicaB.oidc.start();
    urlB = `http://127.0.0.1:${(replicaB.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await replicaB.stop();
    await h.close();
  });

  it('answers 401 at once, not from the cache, when the refresh is due', async () => {
    clock = fakeClock();
    const seeded = await seedSession(h.service.sessions);
    await check(urlB, seeded.cookie).expect(200);
    await check(urlB, seeded.cookie).expect(200); // read twice: B now holds it in its cache (SESSION_CACHE_TTL 5 s)
    await h.forward('/oauth2/logout', { cookie: seeded.cookie }).expect(302); // on replica A
    clock.advance(120); // B's copy is still cached, but its touch is due and finds the record gone
    const hits = await hitsB();
    await check(urlB, seeded.cookie).expect(401);
    expect(await hitsB()).toBe(hits + 1); // B answered from its cache, so the touch decided
  });
});
