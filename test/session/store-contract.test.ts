import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/observability/logger.js';
import { createSessionManager } from '../../src/session/create-session-manager.js';
import { nowSeconds } from '../../src/session/session.js';
import type { SessionManager } from '../../src/session/session-manager.js';
import { baseEnv } from '../fixtures/env.js';
import { startRedisCluster, type RedisCluster } from '../support/redis-cluster.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { asCookies, newSession, whenReachable } from '../support/sessions.js';

const silent = createLogger('silent');

let redis: RedisServer;
let cluster: RedisCluster;
beforeAll(async () => {
  [redis, cluster] = await Promise.all([startRedisServer(), startRedisCluster()]);
}, 60_000);
afterAll(async () => {
  await Promise.all([redis?.stop(), cluster?.stop()]);
});

// One contract, every store, through the session manager the gate uses.
// `redis-cluster`: the redis store on a real 3-master Redis Cluster (REDIS_CLUSTER_NODES).
describe.each(['cookie', 'memory', 'redis', 'redis-cluster'] as const)('%s session store', (variant) => {
  const kind = variant === 'redis-cluster' ? 'redis' : variant;
  let sessions: SessionManager;
  let other: SessionManager;
  const name = `_c${kind}_session`;
  beforeAll(async () => {
    const where = variant === 'redis-cluster' ? { REDIS_CLUSTER_NODES: cluster.nodes } : { REDIS_URL: redis.url };
    // A generous command timeout: this contract is about semantics, and runs beside CPU-heavy suites
    // (the outage suite checks the default 250 ms).
    const env = {
      ...baseEnv,
      SESSION_STORE: kind,
      ...where,
      COOKIE_NAME_PREFIX: `_c${kind}_`,
      REDIS_COMMAND_TIMEOUT: '2000',
    };
    sessions = createSessionManager(loadConfig(env), silent);
    other = createSessionManager(loadConfig({ ...env, SESSION_SECRET: 'ffffffffffffffffffffffffffffffff' }), silent);
    await Promise.all([whenReachable(sessions), whenReachable(other)]);
  });
  afterAll(async () => {
    await sessions.close();
    await other.close();
  });

  async function created(session = newSession()): Promise<Record<string, string>> {
    return asCookies(await sessions.create(session, {}));
  }

  it('gives back the session it stored', async () => {
    const session = newSession();
    const active = await sessions.get(await created(session));
    expect(active?.session).toEqual({ ...session, jti: expect.any(String) });
    expect(active?.setCookies).toEqual([]);
  });

  it('sets HttpOnly, Secure, SameSite=Lax, Path=/ cookies under the prefix', async () => {
    const setCookies = await sessions.create(newSession(), {});
    expect(setCookies.length).toBeGreaterThan(0);
    for (const line of setCookies) {
      expect(line).toMatch(new RegExp(`^${name}`));
      expect(line).toMatch(/HttpOnly/);
      expect(line).toMatch(/Secure/);
      expect(line).toMatch(/SameSite=Lax/);
      expect(line).toMatch(/Path=\//);
    }
  });

  it('treats no cookie, garbage, truncated and tampered cookies as no session', async () => {
    const cookies = await created();
    const value = cookies[name] ?? '';
    expect(await sessions.get({})).toBeUndefined();
    expect(await sessions.get({ [name]: 'garbage' })).toBeUndefined();
    expect(await sessions.get({ [name]: value.slice(0, -5) })).toBeUndefined();
    const flipped = value.slice(0, 20) + (value[20] === 'A' ? 'B' : 'A') + value.slice(21);
    expect(await sessions.get({ ...cookies, [name]: flipped })).toBeUndefined();
    expect(await sessions.get({ [name]: 'x'.repeat(100_000) })).toBeUndefined();
  });

  it('refuses a cookie made with another SESSION_SECRET', async () => {
    const foreign = asCookies(await other.create(newSession(), {}));
    expect(await sessions.get(foreign)).toBeUndefined();
  });

  it('refuses a session past its absolute lifetime, whatever the store keeps', async () => {
    const past = nowSeconds() - 10;
    const alive = await created(
      newSession({ createdAt: past - 100, lastSeenAt: nowSeconds(), expiresAt: nowSeconds() + 60 }),
    );
    expect(await sessions.get(alive)).toBeDefined();
    const ended = await created(newSession({ createdAt: past - 100, lastSeenAt: past - 1, expiresAt: past }));
    expect(await sessions.get(ended)).toBeUndefined();
  });

  it('refuses a session idle longer than the idle timeout', async () => {
    const session = newSession({ lastSeenAt: nowSeconds() - 3601 });
    expect(await sessions.get(await created(session))).toBeUndefined();
  });

  it('records use when due, keeping the session alive', async () => {
    const cookies = await created(newSession({ lastSeenAt: nowSeconds() - 120 }));
    const first = await sessions.get(cookies);
    if (!first) throw new Error('no session');
    if (kind === 'cookie') expect(first.setCookies.length).toBeGreaterThan(0);
    else expect(first.setCookies).toEqual([]); // the id cookie stays; the record moves on
    const again = await sessions.get({ ...cookies, ...asCookies(first.setCookies) });
    expect(again?.session.lastSeenAt).toBeGreaterThanOrEqual(nowSeconds() - 1);
  });

  it('reads a session without its tokens for a check that uses none, and whole otherwise', async () => {
    const session = newSession();
    const cookies = await created(session);
    const check = await sessions.get(cookies, { tokens: false });
    const { idToken, accessToken, refreshToken, ...rest } = session;
    if (kind === 'cookie') {
      expect(check?.session).toEqual({ ...session, jti: expect.any(String) }); // the cookie is the session
    } else {
      expect(check?.session).toEqual({ ...rest, jti: expect.any(String), tokensApart: true });
    }
    const whole = await sessions.get(cookies);
    expect(whole?.session).toEqual({ ...session, jti: expect.any(String) });
    expect([idToken, accessToken, refreshToken]).toEqual(['id.token.x', 'access', 'refresh']);
  });

  it('keeps the tokens when a session read without them is touched, and takes new ones from an update', async () => {
    const cookies = await created(newSession({ lastSeenAt: nowSeconds() - 120 }));
    const touched = await sessions.get(cookies, { tokens: false });
    if (!touched) throw new Error('no session');
    const after = { ...cookies, ...asCookies(touched.setCookies) };
    const whole = await sessions.get(after);
    expect(whole?.session.lastSeenAt).toBeGreaterThanOrEqual(nowSeconds() - 1);
    expect(whole?.session).toMatchObject({ idToken: 'id.token.x', accessToken: 'access', refreshToken: 'refresh' });
    // A refresh built on the session read without tokens: what it does not set is kept.
    const lean = (await sessions.get(after, { tokens: false })) ?? touched;
    const next = { ...lean.session, accessToken: 'renewed', accessTokenExpiresAt: nowSeconds() + 600 };
    const setCookies = await sessions.update(lean, next, after);
    if (!setCookies) throw new Error('update refused');
    const renewed = await sessions.get({ ...after, ...asCookies(setCookies) });
    expect(renewed?.session).toMatchObject({ idToken: 'id.token.x', accessToken: 'renewed', refreshToken: 'refresh' });
    expect(renewed?.session.tokensApart).toBeUndefined();
  });

  it('never brings back a session ended after it was read', async () => {
    const cookies = await created(newSession({ lastSeenAt: nowSeconds() - 120 }));
    const active = await sessions.get(cookies);
    if (!active) throw new Error('no session');
    await sessions.end(cookies);
    const updated = await sessions.update(active, { ...active.session, accessToken: 'new' }, cookies);
    if (kind === 'cookie') {
      expect(updated).toBeDefined(); // nothing server side to consult; the browser's cookie was cleared
    } else {
      expect(updated).toBeUndefined();
      expect(await sessions.get(cookies)).toBeUndefined();
    }
  });

  it('ends the session, gives it back for the logout, and returns clearing cookies', async () => {
    const session = newSession();
    const cookies = await created(session);
    const { session: ended, setCookies } = await sessions.end(cookies);
    expect(ended).toEqual({ ...session, jti: expect.any(String) });
    expect(setCookies.join()).toMatch(/Max-Age=0|Expires=Thu, 01 Jan 1970/);
    if (kind !== 'cookie') expect(await sessions.get(cookies)).toBeUndefined();
    expect(await sessions.end({})).toEqual({ session: undefined, setCookies: expect.any(Array) });
  });

  it('ends the session the cookies held when a new one is created (no fixation)', async () => {
    const planted = await created();
    const fresh = asCookies(await sessions.create(newSession(), planted));
    expect(fresh[name]).not.toEqual(planted[name]);
    expect(await sessions.get(fresh)).toBeDefined();
    if (kind !== 'cookie') expect(await sessions.get(planted)).toBeUndefined();
  });

  it('splits a large session across cookies under 4 KB each, reassembles it, and clears leftover chunks', async () => {
    const groups = Array.from({ length: 150 }, (_, i) => `0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f${i}`);
    const session = newSession({
      claims: { sub: 'user-1', groups },
      accessToken: 'a'.repeat(2500),
      idToken: 'i'.repeat(2000),
    });
    const setCookies = await sessions.create(session, {});
    for (const line of setCookies) expect(line.length).toBeLessThan(4096);
    if (kind === 'cookie') expect(setCookies.length).toBeGreaterThan(1);
    const big = asCookies(setCookies);
    expect((await sessions.get(big))?.session).toEqual({ ...session, jti: expect.any(String) });
    const small = await sessions.create(newSession(), big);
    if (kind === 'cookie') expect(small.filter((c) => c.includes('Max-Age=0')).length).toBe(setCookies.length - 1);
  });

  it('reads a split session again and again, and a chunk changed in the middle as no session', async () => {
    const groups = Array.from({ length: 150 }, (_, i) => `0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f${i}`);
    const big = asCookies(await sessions.create(newSession({ claims: { sub: 'user-1', groups } }), {}));
    for (let i = 0; i < 3; i++) expect((await sessions.get({ ...big }))?.session.sub).toBe('user-1');
    const first = Object.keys(big).find((k) => k.endsWith('_1'));
    if (kind !== 'cookie' || first === undefined) return;
    // Same length and same last chunk as the value just read: only its middle differs.
    const value = big[first];
    const flipped = value.slice(0, 100) + (value[100] === 'A' ? 'B' : 'A') + value.slice(101);
    expect(await sessions.get({ ...big, [first]: flipped })).toBeUndefined();
    expect((await sessions.get({ ...big }))?.session.sub).toBe('user-1');
  });

  it('ends every session of a provider sid, and of a user, when it keeps sessions server side', async () => {
    const session = newSession({ sid: `provider-sid-${kind}`, sub: `user-${kind}` });
    const a = await created(session);
    const b = await created(session);
    const c = await created(newSession({ sub: `user-${kind}` }));
    await sessions.end(b);
    const bySid = await sessions.endBySid(`provider-sid-${kind}`);
    const bySub = await sessions.endBySub(`user-${kind}`);
    if (kind === 'cookie') {
      expect([bySid, bySub]).toEqual([0, 0]);
    } else {
      expect(bySid).toBe(1); // b had ended already
      expect(bySub).toBe(1); // a ended by sid already; c now
      for (const cookies of [a, b, c]) expect(await sessions.get(cookies)).toBeUndefined();
    }
    expect(await sessions.endBySid('no-such-sid')).toBe(0);
  });

  it('lets one holder at a time take a lock, and frees it on release', async () => {
    const first = await sessions.lock(`k-${kind}`, 5000);
    expect(first).toBeDefined();
    expect(await sessions.lock(`k-${kind}`, 5000)).toBeUndefined();
    expect(await first?.release()).toBe(true);
    expect(await sessions.lock(`k-${kind}`, 5000)).toBeDefined();
  });

  it('answers ping when its backend is reachable', async () => {
    await expect(sessions.ping()).resolves.toBeUndefined();
  });
});
