import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import supertest from 'supertest';
import { createLogger } from '../../src/observability/logger.js';
import { Metrics } from '../../src/observability/metrics.js';
import { startService, type RunningService } from '../../src/server.js';
import { DOMAIN, startHarness, type Harness } from '../support/harness.js';
import { sample } from './metrics-text.js';

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

const cacheHits = async (metrics: Metrics) =>
  sample(await metrics.registry.metrics(), 'idp_session_cache_lookups_total', { result: 'hit' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a logout on one replica ends the session on every replica (redis store)', () => {
  let h: Harness;
  let replicaB: RunningService;
  let urlB: string;
  const metricsB = new Metrics();

  beforeAll(async () => {
    h = await startHarness({ store: 'redis' }); // SESSION_CACHE_TTL at its default and maximum, 5 s
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

  it('refuses on replica B within SESSION_CACHE_TTL of a logout on replica A', async () => {
    expect(h.config.sessionCacheTtl).toBe(5);
    const cookie = await h.login('alice');
    // B caches a session it reads a second time (the admission filter), then answers from its cache.
    await check(urlB, cookie).expect(200);
    await check(urlB, cookie).expect(200);
    await check(urlB, cookie).expect(200);
    expect(await cacheHits(metricsB)).toBeGreaterThanOrEqual(1);

    await h.forward('/oauth2/logout', { cookie }).expect(302);
    await check(h.baseUrl, cookie).expect(401); // A, where the logout happened: at once

    await sleep(h.config.sessionCacheTtl * 1000 + 100);
    await check(urlB, cookie).expect(401);
  }, 20_000);

  it('refuses on every replica at once after a logout when the other replica had not cached it', async () => {
    const cookie = await h.login('alice');
    await check(h.baseUrl, cookie).expect(200);
    await h.forward('/oauth2/logout', { cookie }).expect(302);
    await check(urlB, cookie).expect(401);
    await check(h.baseUrl, cookie).expect(401);
  });
});

describe('an expired session never passes, even from the cache', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  for (const store of ['cookie', 'redis'] as const) {
    describe(`${store} store`, () => {
      let h: Harness;
      beforeAll(async () => {
        h = await startHarness({ store, env: { SESSION_MAX_AGE: '3600', SESSION_IDLE_TIMEOUT: '600' } });
      });
      afterAll(async () => {
        await h.close();
      });

      it('refuses a cached session past SESSION_MAX_AGE', async () => {
        const cookie = await h.login('alice');
        await check(h.baseUrl, cookie).expect(200);
        const hits = await cacheHits(h.service.metrics);
        const now = Date.now();
        await check(h.baseUrl, cookie).expect(200);
        jest.spyOn(Date, 'now').mockReturnValue(now + 3601 * 1000);
        await check(h.baseUrl, cookie).expect(401);
        expect(await cacheHits(h.service.metrics)).toBe(hits + 2); // both later checks were cache hits
      });

      it('refuses a cached session idle longer than SESSION_IDLE_TIMEOUT', async () => {
        const cookie = await h.login('alice');
        await check(h.baseUrl, cookie).expect(200);
        const now = Date.now();
        jest.spyOn(Date, 'now').mockReturnValue(now + 601 * 1000);
        await check(h.baseUrl, cookie).expect(401);
      });

      it('still lets the session through just before it ends', async () => {
        const cookie = await h.login('alice');
        await check(h.baseUrl, cookie).expect(200);
        const now = Date.now();
        jest.spyOn(Date, 'now').mockReturnValue(now + 30 * 1000);
        await check(h.baseUrl, cookie).expect(200);
      });
    });
  }
});
