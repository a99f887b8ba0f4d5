import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig, type Config } from '../../src/config/index.js';
import { createLogger } from '../../src/observability/logger.js';
import { appBinding, createSessionManager } from '../../src/session/create-session-manager.js';
import { MemoryBackend } from '../../src/session/memory-backend.js';
import { ServerSessionStore } from '../../src/session/server-store.js';
import { SessionManager } from '../../src/session/session-manager.js';
import { baseEnv } from '../fixtures/env.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { asCookies, newSession, whenReachable } from '../support/sessions.js';

const A = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const B = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
const silent = createLogger('silent');

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis.stop();
});

/** Replicas of one app that differ only in their secrets; memory replicas share one backend to stand for one process. */
function replicas(kind: 'cookie' | 'memory' | 'redis'): (secrets: string[]) => SessionManager {
  const config = loadConfig({ ...baseEnv, SESSION_STORE: kind, REDIS_URL: redis.url });
  const backend = new MemoryBackend();
  return (secrets) => {
    const rotated: Config = { ...config, sessionSecrets: secrets };
    if (kind !== 'memory') return createSessionManager(rotated, silent);
    const lifetime = { maxAge: config.sessionMaxAge, idleTimeout: config.sessionIdleTimeout };
    const store = new ServerSessionStore({
      backend,
      secrets,
      app: appBinding(config),
      cookieName: '_idp_session',
      policy: { secure: true, sameSite: 'Lax' },
      lifetime,
      cacheSize: 100,
    });
    return new SessionManager({ store, lifetime, cacheSize: 100, cacheTtl: 0, logger: silent });
  };
}

describe.each(['cookie', 'memory', 'redis'] as const)('SESSION_SECRETS rotation, %s store', (kind) => {
  let onlyA: SessionManager;
  let rotated: SessionManager;
  let onlyB: SessionManager;
  beforeAll(async () => {
    const make = replicas(kind);
    [onlyA, rotated, onlyB] = [make([A]), make([B, A]), make([B])];
    await Promise.all([onlyA, rotated, onlyB].map((m) => whenReachable(m)));
  });
  afterAll(async () => {
    await Promise.all([onlyA, rotated, onlyB].map((m) => m.close()));
  });

  it('still loads a session made under the old secret once the new one comes first', async () => {
    const session = newSession();
    const cookies = asCookies(await onlyA.create(session, {}));
    expect((await rotated.get(cookies))?.session).toEqual({ ...session, jti: expect.any(String) });
  });

  it('makes new cookies with the first secret', async () => {
    const cookies = asCookies(await rotated.create(newSession(), {}));
    expect(await onlyB.get(cookies)).toBeDefined();
    expect(await onlyA.get(cookies)).toBeUndefined();
  });

  it('refuses a session of a secret that is no longer listed', async () => {
    const cookies = asCookies(await onlyA.create(newSession(), {}));
    expect(await onlyB.get(cookies)).toBeUndefined();
  });
});
