// redis.enabledForCookieStore: the chart renders the Redis settings for the cookie store,
// and the service built from that rendered environment makes cookie sessions revocable.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/observability/logger.js';
import { createSessionManager } from '../../src/session/create-session-manager.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { asCookies, seedSession } from '../support/seed-session.js';
import { whenReachable } from '../support/sessions.js';
import { containerEnv, one, render, template } from './helm.js';

const scenario = 'cookie-store-redis-values.yaml';
const secrets = {
  OIDC_CLIENT_ID: '3fe8f2f0-da38-42eb-80c7-febc1d1dcb3f',
  OIDC_CLIENT_SECRET: 'not-a-real-client-secret',
  SESSION_SECRET: '0123456789abcdef0123456789abcdef',
  REDIS_PASSWORD: 'not-a-real-redis-password',
};

describe('the cookie store with redis.enabledForCookieStore', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis.stop();
  });

  it('renders REDIS_URL, REDIS_COMMAND_TIMEOUT and REDIS_PASSWORD from the Secret next to SESSION_STORE=cookie', async () => {
    const objects = await render({ valuesFiles: [scenario] });
    const env = containerEnv(objects, secrets);
    expect(env).toMatchObject({
      SESSION_STORE: 'cookie',
      REDIS_URL: 'redis://redis.team-d.svc.cluster.local:6379/4',
      REDIS_COMMAND_TIMEOUT: '200',
    });
    const container = one(objects, 'Deployment').spec.template.spec.containers[0];
    expect(container.env).toContainEqual({
      name: 'REDIS_PASSWORD',
      valueFrom: { secretKeyRef: { name: 'reports-redis', key: 'password' } },
    });
    const config = loadConfig(env);
    expect(config.sessionStore).toBe('cookie');
    expect(config.redis).toMatchObject({
      url: 'redis://redis.team-d.svc.cluster.local:6379/4',
      password: secrets.REDIS_PASSWORD,
      commandTimeoutMs: 200,
    });
  });

  it('gives a cookie store whose sessions a sid ends, through the rendered Redis settings', async () => {
    const objects = await render({
      valuesFiles: [scenario],
      values: { redis: { url: redis.url, existingSecret: '' } },
    });
    const sessions = createSessionManager(loadConfig(containerEnv(objects, secrets)), createLogger('silent'));
    try {
      expect(sessions.inCookie).toBe(true);
      expect(sessions.revocable).toBe(true);
      await whenReachable(sessions);
      const seeded = await seedSession(sessions, { sid: 'sid-chart-1' });
      const other = await seedSession(sessions, { sid: 'sid-chart-2' });
      await sessions.endBySid('sid-chart-1');
      expect(await sessions.get(asCookies(seeded.cookie))).toBeUndefined();
      expect(await sessions.get(asCookies(other.cookie))).toBeDefined();
    } finally {
      await sessions.close();
    }
  });

  it('renders no Redis settings for the cookie store without it, so a leftover redis.url changes nothing', async () => {
    const values = { redis: { enabledForCookieStore: false } };
    const env = containerEnv(await render({ valuesFiles: [scenario], values }), secrets);
    expect(Object.keys(env).filter((k) => k.startsWith('REDIS_'))).toEqual([]);
    const sessions = createSessionManager(loadConfig(env), createLogger('silent'));
    expect(sessions.revocable).toBe(false);
    await sessions.close();
  });

  it('refuses enabledForCookieStore without a Redis address', async () => {
    const values = { redis: { url: '' } };
    const result = await template({ valuesFiles: [scenario], values });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('redis.url is required when redis.enabledForCookieStore is true');
  });
});
