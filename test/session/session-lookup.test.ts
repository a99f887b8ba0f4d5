import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/observability/logger.js';
import { createSessionManager } from '../../src/session/create-session-manager.js';
import type { SessionManager } from '../../src/session/session-manager.js';
import { baseEnv } from '../fixtures/env.js';
import { fakeClock, type FakeClock } from '../support/fake-clock.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { asCookies, newSession, whenReachable } from '../support/sessions.js';

const silent = createLogger('silent');
const managers: SessionManager[] = [];
let clock: FakeClock | undefined;
let redis: RedisServer;

beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis.stop();
});

/** A manager over `store`; `revocable`: the cookie store with REDIS_URL (revocations on every replica). */
async function manager(store: 'cookie' | 'redis', revocable = false): Promise<SessionManager> {
  const redisUrl = store === 'redis' || revocable ? { REDIS_URL: redis.url } : {};
  const sessions = createSessionManager(loadConfig({ ...baseEnv, SESSION_STORE: store, ...redisUrl }), silent);
  managers.push(sessions);
  await whenReachable(sessions);
  return sessions;
}

/** A new session's cookies, read twice so that this manager's cache holds it (admitted on a second read). */
async function cachedSession(sessions: SessionManager): Promise<Record<string, string>> {
  const cookies = asCookies(await sessions.create(newSession(), {}));
  await sessions.get(cookies);
  await sessions.get(cookies);
  return cookies;
}

/** The cookies a touch's Set-Cookie values leave the client with. */
const after = (cookies: Record<string, string>, setCookies: readonly string[]) => ({
  ...cookies,
  ...asCookies(setCookies),
});

afterEach(async () => {
  clock?.restore();
  clock = undefined;
  await Promise.all(managers.splice(0).map((m) => m.close()));
});

describe.each(['cookie', 'redis'] as const)('SessionManager.lookup (%s store)', (store) => {
  it('answers synchronously that there is no session when no cookie names one', async () => {
    const found = (await manager(store)).lookup({ unrelated: 'x' });
    expect(found).toBeUndefined();
  });

  it('reads the store (a promise) the first time, then answers the cached session synchronously', async () => {
    const sessions = await manager(store);
    const cookies = asCookies(await sessions.create(newSession(), {}));
    await sessions.get(cookies); // the read after a login's redirect
    const first = sessions.lookup(cookies);
    const second = sessions.lookup(cookies);
    const settled = first instanceof Promise ? await first : first;
    expect(second).not.toBeInstanceOf(Promise);
    expect(second).toEqual(settled);
    expect(second).toEqual(await sessions.get(cookies));
  });

  it('goes to the store again when a touch is due, and the touch is recorded', async () => {
    const sessions = await manager(store);
    const cookies = await cachedSession(sessions);
    clock = fakeClock();
    clock.advance(61); // past the touch interval: min(60, SESSION_IDLE_TIMEOUT / 10)
    const due = sessions.lookup(cookies);
    expect(due).toBeInstanceOf(Promise);
    const touched = await due;
    const now = Math.floor(Date.now() / 1000);
    const again = await sessions.get(after(cookies, touched?.setCookies ?? []));
    expect(again?.session.lastSeenAt).toBe(now);
  });

  it('answers a session past its idle timeout as none, even when it was cached', async () => {
    const sessions = await manager(store);
    const cookies = await cachedSession(sessions);
    clock = fakeClock();
    clock.advance(3601); // SESSION_IDLE_TIMEOUT defaults to an hour
    expect(await sessions.lookup(cookies)).toBeUndefined();
  });
});

describe('SessionManager.lookup, where the store must be asked', () => {
  it('never answers an ended redis session from the cache', async () => {
    const sessions = await manager('redis');
    const cookies = asCookies(await sessions.create(newSession(), {}));
    await sessions.get(cookies);
    expect(sessions.lookup(cookies)).not.toBeInstanceOf(Promise);
    await sessions.end(cookies);
    expect(await sessions.lookup(cookies)).toBeUndefined();
  });

  it('asks the revocation list on every check of a revocable cookie session', async () => {
    const sessions = await manager('cookie', true);
    const cookies = await cachedSession(sessions);
    expect(sessions.lookup(cookies)).toBeInstanceOf(Promise);
    await sessions.end(cookies);
    expect(await sessions.lookup(cookies)).toBeUndefined();
  });
});
