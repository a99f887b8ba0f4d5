import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { figures, runLoad } from '../support/check-load.js';
import { DOMAIN, startHarness, type Harness } from '../support/harness.js';
import { startRedisSentinel, type RedisSentinel } from '../support/redis-sentinel.js';
import { asCookies, seedSession } from '../support/seed-session.js';

// The redis store through a real Sentinel set-up (one master, one replica, one sentinel):
// login, checks, logout, the lock and ending by sid, then a SENTINEL FAILOVER under load.
let sentinel: RedisSentinel;
let h: Harness;
beforeAll(async () => {
  sentinel = await startRedisSentinel();
  h = await startHarness({
    store: 'redis',
    // REDIS_URL only keeps the harness from starting a standalone redis: Sentinel takes precedence.
    // The service's default command timeout (250 ms): the failover is measured as shipped.
    env: {
      REDIS_URL: 'redis://127.0.0.1:1',
      REDIS_SENTINELS: sentinel.sentinels,
      SESSION_CACHE_TTL: '0',
      REDIS_COMMAND_TIMEOUT: '250',
    },
  });
  const deadline = Date.now() + 15_000;
  while ((await fetch(`${h.probeUrl}/readyz`)).status !== 200) {
    if (Date.now() > deadline) throw new Error('service never became ready through Sentinel');
    await new Promise((r) => setTimeout(r, 200));
  }
}, 60_000);
afterAll(async () => {
  await h?.close();
  await sentinel?.stop();
});

describe('redis store through Sentinel', () => {
  it('logs in, checks, takes the refresh lock, ends by sid and logs out', async () => {
    const cookie = await h.login('alice');
    expect((await h.forward('/', { cookie })).status).toBe(200);
    const locked = await h.service.sessions.withLock('refresh:alice', 5000, async () => {
      expect((await h.service.sessions.withLock('refresh:alice', 5000, async () => 'second')).locked).toBe(false);
      return 'first';
    });
    expect(locked).toEqual({ locked: true, value: 'first' });
    const bySid = await seedSession(h.service.sessions, { sub: 'bob', sid: 'op-session-1' });
    expect((await h.forward('/', { cookie: bySid.cookie })).status).toBe(200);
    expect(await h.service.sessions.endBySid('op-session-1')).toBe(1);
    expect((await h.forward('/', { cookie: bySid.cookie })).status).toBe(302);
    const ended = await h.service.sessions.end(asCookies(cookie));
    expect(ended.session?.sub).toBeDefined();
    expect((await h.forward('/', { cookie })).status).toBe(302);
  }, 30_000);

  it('loses no session in a SENTINEL FAILOVER under load', async () => {
    const cookies: string[] = [];
    for (let i = 0; i < 30; i++) cookies.push((await seedSession(h.service.sessions, { sub: `fo-${i}` })).cookie);
    const before = await sentinel.masterPort();
    const records = await runLoad({
      baseUrl: h.baseUrl,
      domain: DOMAIN,
      cookies,
      rate: 100,
      durationMs: 8000,
      script: [{ at: 1000, run: () => sentinel.failover() }],
    });
    expect(await sentinel.masterPort()).not.toBe(before);
    const during = figures(records, 1000, 8000);
    process.stdout.write(`redis-sentinel failover: ${JSON.stringify(during)}\n`);
    // While the master moves a check may fail, but only with the store's 503, never a 302/401.
    const errors = [...new Set(records.filter((r) => r.status === 0).map((r) => r.error))];
    expect(errors).toEqual([]);
    for (const r of records) if (r.status !== 200) expect(r.status).toBe(503);
    // Every session is still there on the new master.
    await new Promise((r) => setTimeout(r, 1000));
    for (const cookie of cookies) expect((await h.forward('/', { cookie })).status).toBe(200);
    const fresh = await h.login('alice');
    expect((await h.forward('/', { cookie: fresh })).status).toBe(200);
  }, 60_000);
});
