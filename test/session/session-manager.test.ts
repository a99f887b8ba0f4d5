import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createClient } from 'redis';
import { loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/observability/logger.js';
import { createSessionManager, redisNamespace } from '../../src/session/create-session-manager.js';
import { nowSeconds } from '../../src/session/session.js';
import type { SessionManager } from '../../src/session/session-manager.js';
import { baseEnv } from '../fixtures/env.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { asCookies, newSession, whenReachable } from '../support/sessions.js';

const silent = createLogger('silent');
const waitFor = async (ok: () => Promise<boolean>, timeoutMs = 5000): Promise<void> => {
  const until = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

let redis: RedisServer;
let a: SessionManager;
let b: SessionManager;
let otherApp: SessionManager;
const env = () => ({ ...baseEnv, SESSION_STORE: 'redis', REDIS_URL: redis.url });
beforeAll(async () => {
  redis = await startRedisServer();
  // Two replicas of one app, and another app on the same Redis with the same cookie prefix.
  a = createSessionManager(loadConfig(env()), silent);
  b = createSessionManager(loadConfig(env()), silent);
  otherApp = createSessionManager(loadConfig({ ...env(), OIDC_CLIENT_ID: 'another-app' }), silent);
  await Promise.all([a, b, otherApp].map((m) => whenReachable(m)));
});
afterAll(async () => {
  await Promise.all([a, b, otherApp].map((m) => m.close()));
  await redis.stop();
});

describe('the session manager over redis, with two replicas', () => {
  it('answers undefined on a replica serving a session from its cache once it was ended elsewhere', async () => {
    const cookies = asCookies(await a.create(newSession({ lastSeenAt: nowSeconds() - 30 }), {}));
    expect(await b.get(cookies)).toBeDefined();
    expect(await b.get(cookies)).toBeDefined(); // read a second time: now in b's cache
    await a.end(cookies);
    // Idle timeout 3600 s: a touch is due after 60 s, so jump there, still inside b's cache TTL.
    const realNow = Date.now;
    Date.now = () => realNow() + 61_000;
    try {
      expect(await b.get(cookies)).toBeUndefined();
    } finally {
      Date.now = realNow;
    }
  });

  it('update replaces the content for every replica but keeps the start and the absolute end', async () => {
    const original = newSession();
    const cookies = asCookies(await a.create(original, {}));
    const active = await a.get(cookies);
    if (!active) throw new Error('no session');
    const later = {
      ...active.session,
      accessToken: 'refreshed',
      createdAt: original.createdAt + 500,
      expiresAt: original.expiresAt + 99_999,
    };
    expect(await a.update(active, later, cookies)).toEqual([]);
    const seen = await b.get(cookies);
    expect(seen?.session.accessToken).toBe('refreshed');
    expect(seen?.session.expiresAt).toBe(original.expiresAt);
    expect(seen?.session.createdAt).toBe(original.createdAt);
  });

  it('takes a lock on one replica only, until it is released or expires', async () => {
    const held = await a.lock('refresh:1', 10_000);
    expect(held).toBeDefined();
    expect(await b.lock('refresh:1', 10_000)).toBeUndefined();
    expect(await a.lock('refresh:1', 10_000)).toBeUndefined();
    await held?.release();
    const next = await b.lock('refresh:1', 10_000);
    expect(next).toBeDefined();
    await next?.release();
  });

  it('lets a lock expire after its TTL, and only its owner can release it', async () => {
    const first = await a.lock('refresh:2', 100);
    expect(first).toBeDefined();
    let second: Awaited<ReturnType<SessionManager['lock']>>;
    await waitFor(async () => (second = await b.lock('refresh:2', 10_000)) !== undefined);
    expect(await first?.release()).toBe(false); // expired and taken by b: not a's to free
    expect(await a.lock('refresh:2', 10_000)).toBeUndefined(); // b still holds it
    expect(await second?.release()).toBe(true);
  });

  it('runs work under a lock on one replica when two race for it', async () => {
    let runs = 0;
    const work = async () => {
      runs++;
      await new Promise((r) => setTimeout(r, 50));
      return 'done';
    };
    const outcomes = await Promise.all([a.withLock('refresh:3', 5000, work), b.withLock('refresh:3', 5000, work)]);
    expect(runs).toBe(1);
    expect(outcomes.filter((o) => o.locked)).toEqual([{ locked: true, value: 'done' }]);
    expect((await a.withLock('refresh:3', 5000, work)).locked).toBe(true); // released afterwards
  });

  it('keeps every key under idp:<client id>:, so apps on one Redis never touch each other', async () => {
    const sid = `shared-entra-sid-${Math.random()}`;
    const ours = asCookies(await a.create(newSession({ sid }), {}));
    const theirs = asCookies(await otherApp.create(newSession({ sid }), {}));
    const lock = await a.lock('refresh:4', 5000);
    expect(await otherApp.lock('refresh:4', 5000)).toBeDefined();

    const client = createClient({ url: redis.url });
    await client.connect();
    const keys = await client.keys('*');
    await client.close();
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(key).toMatch(/^idp:(client-id|another-app):(sess|tok|sid|sub|lock):/);
    expect(keys).toContain(`${redisNamespace('client-id')}lock:refresh:4`);

    expect(await otherApp.endBySid(sid)).toBe(1);
    expect(await a.get(ours)).toBeDefined();
    expect(await otherApp.get(theirs)).toBeUndefined();
    await lock?.release();
  });
});

describe.each(['cookie', 'memory'] as const)('in-process locks (%s store)', (kind) => {
  let sessions: SessionManager;
  beforeAll(() => {
    sessions = createSessionManager(loadConfig({ ...baseEnv, SESSION_STORE: kind }), silent);
  });
  afterAll(async () => {
    await sessions.close();
  });

  it('lets a lock expire after its TTL, and only its owner can release it', async () => {
    const first = await sessions.lock('refresh', 50);
    expect(first).toBeDefined();
    expect(await sessions.lock('refresh', 50)).toBeUndefined();
    let second: Awaited<ReturnType<SessionManager['lock']>>;
    await waitFor(async () => (second = await sessions.lock('refresh', 10_000)) !== undefined);
    expect(await first?.release()).toBe(false);
    expect(await sessions.lock('refresh', 10_000)).toBeUndefined();
    expect(await second?.release()).toBe(true);
  });

  it('releases the lock when the work fails', async () => {
    await expect(sessions.withLock('work', 5000, async () => Promise.reject(new Error('boom')))).rejects.toThrow(
      'boom',
    );
    expect(await sessions.withLock('work', 5000, async () => 1)).toEqual({ locked: true, value: 1 });
  });
});
