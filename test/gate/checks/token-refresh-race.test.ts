import { afterEach, describe, expect, it } from '@jest/globals';
import { fakeClock, type FakeClock } from '../../support/fake-clock.js';
import { cookieHeader, startHarness, type Harness } from '../../support/harness.js';
import { startRedisServer, type RedisServer } from '../../support/redis-server.js';
import { asCookies } from '../../support/seed-session.js';
import { startRefreshProvider, type RefreshProvider } from '../../support/refresh-provider.js';

/**
 * The provider rotates refresh tokens: a second redemption of the same refresh token
 * revokes the whole grant, so any double refresh shows as a refused grant and a dead
 * session. Exactly one refresh per due session, however the requests are spread.
 */
const CONCURRENT = 50;
let op: RefreshProvider | undefined;
let redis: RedisServer | undefined;
let replicas: Harness[] = [];
let clock: FakeClock | undefined;

afterEach(async () => {
  clock?.restore();
  clock = undefined;
  for (const h of replicas) await h.close();
  await op?.idp.close();
  await redis?.stop();
  replicas = [];
  op = redis = undefined;
});

async function start(store: 'cookie' | 'redis', count: number, shareRedis: boolean): Promise<Harness[]> {
  op = await startRefreshProvider({ accessTokenTtl: 60, rotateRefreshToken: true });
  redis = shareRedis ? await startRedisServer() : undefined;
  const env = {
    AUTHORIZATION_HEADER: 'Authorization',
    TOKEN_REFRESH_MARGIN: '20',
    ...(redis ? { REDIS_URL: redis.url } : {}),
  };
  for (let i = 0; i < count; i++) replicas.push(await startHarness({ store, idp: op.idp, env }));
  return replicas;
}

async function burst(hs: Harness[], cookie: string) {
  return Promise.all(Array.from({ length: CONCURRENT }, (_, i) => hs[i % hs.length].forward('/', { cookie })));
}

const CASES: [string, 'cookie' | 'redis', number, boolean][] = [
  ['redis store, one replica', 'redis', 1, true],
  ['redis store, two replicas', 'redis', 2, true],
  ['cookie store, one replica', 'cookie', 1, false],
  ['cookie store with REDIS_URL, two replicas', 'cookie', 2, true],
];

describe.each(CASES)('%s', (_name, store, count, shareRedis) => {
  it(`redeems the refresh token exactly once for ${CONCURRENT} concurrent due requests`, async () => {
    const hs = await start(store, count, shareRedis);
    const cookie = await hs[0].login();
    const old = (await hs[0].forward('/', { cookie })).headers.authorization;
    clock = fakeClock();
    clock.advance(45);

    const answers = await burst(hs, cookie);
    expect(answers.map((r) => r.status)).toEqual(Array(CONCURRENT).fill(200));
    const tokens = new Set(answers.map((r) => r.headers.authorization));
    expect(tokens.has(old)).toBe(false);
    expect(tokens.size).toBe(1);
    expect(op?.refreshes()).toBe(1);
    expect(op?.refused()).toBe(0);

    // The grant survived: the next due refresh works, from the cookie the browser now holds.
    const renewed = answers.map((r) => r.headers['set-cookie'] as unknown as string[] | undefined);
    if (store === 'cookie') expect(renewed.every((c) => c !== undefined && c.length > 0)).toBe(true);
    const current = cookieHeader(
      renewed.find((c) => c !== undefined),
      cookie,
    );
    clock.advance(45);
    const later = await hs[hs.length - 1].forward('/', { cookie: current });
    expect(later.status).toBe(200);
    expect(op?.refreshes()).toBe(2);
    expect(op?.refused()).toBe(0);
  });
});

describe('a lock held elsewhere', () => {
  it('keeps the old token after the bounded wait while it is valid, and answers 503 once it expired', async () => {
    const [h] = await start('redis', 1, true);
    const replica = h;
    const cookie = await replica.login();
    const old = (await replica.forward('/', { cookie })).headers.authorization;
    const active = await replica.service.sessions.get(asCookies(cookie));
    // Another replica that took the lock and never finishes (stalled, or its provider call hangs).
    const held = await replica.service.sessions.lock(`refresh:${replica.service.sessions.sessionKey(active!)}`, 60_000);
    expect(held).toBeDefined();
    clock = fakeClock();
    clock.advance(45);
    const started = performance.now();
    const valid = await replica.forward('/', { cookie });
    expect(valid.status).toBe(200);
    expect(valid.headers.authorization).toBe(old);
    expect(performance.now() - started).toBeGreaterThanOrEqual(2900);
    clock.advance(20);
    expect((await replica.forward('/api', { cookie, accept: 'application/json' })).status).toBe(503);
    expect(op?.refreshes()).toBe(0);
    const metrics = await fetch(`${replica.probeUrl}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/idp_token_refresh_total\{outcome="lock_timeout"\} 2/);
    await held?.release();
  }, 60_000);
});
