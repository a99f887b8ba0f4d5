// sessionStore.fallback: the chart renders SESSION_FALLBACK*, adds the copy's cookie to the
// middleware's addAuthCookiesToResponse (the very names the service sets), and refuses
// combinations the service would refuse.
import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/observability/logger.js';
import { createSessionManager } from '../../src/session/create-session-manager.js';
import { containerEnv, render, template, type K8sObject } from './helm.js';

const scenario = 'redis-store-values.yaml';
const secrets = {
  OIDC_CLIENT_ID: '3fe8f2f0-da38-42eb-80c7-febc1d1dcb3f',
  OIDC_CLIENT_SECRET: 'not-a-real-client-secret',
  SESSION_SECRET: '0123456789abcdef0123456789abcdef',
  REDIS_PASSWORD: 'not-a-real-redis-password',
};

/** The forwardAuth Middleware (the other one strips identity headers). */
function cookiesOf(objects: readonly K8sObject[]): string[] {
  const auth = objects.find((o) => o.kind === 'Middleware' && o.spec.forwardAuth !== undefined);
  return auth?.spec.forwardAuth.addAuthCookiesToResponse as string[];
}

async function refusal(values: Record<string, unknown>): Promise<string> {
  const result = await template({ valuesFiles: [scenario], values });
  expect(result.code).not.toBe(0);
  return result.stderr;
}

describe('sessionStore.fallback', () => {
  it('renders SESSION_FALLBACK=cookie and its max age, which loadConfig accepts', async () => {
    const env = containerEnv(await render({ valuesFiles: [scenario] }), secrets);
    expect(env).toMatchObject({
      SESSION_FALLBACK: 'cookie',
      SESSION_FALLBACK_MAX_AGE: '600',
      SESSION_FALLBACK_RESTORE: 'false',
    });
    const config = loadConfig(env);
    expect(config.sessionFallback).toBe('cookie');
    expect(config.sessionFallbackMaxAge).toBe(600);
    expect(config.sessionFallbackRestore).toBe(false);
  });

  it("lists exactly the service's cookie names, the copy's cookie included, in addAuthCookiesToResponse", async () => {
    const objects = await render({
      valuesFiles: [scenario],
      values: { sessionStore: { fallback: { restore: true } } },
    });
    const listed = cookiesOf(objects);
    expect(listed).toContain('_shop_session_fb');
    const sessions = createSessionManager(loadConfig(containerEnv(objects, secrets)), createLogger('silent'));
    try {
      expect([...listed].sort()).toEqual([...sessions.cookieNames()].sort());
    } finally {
      await sessions.close();
    }
  });

  it('renders nothing of it by default, and no copy cookie', async () => {
    const objects = await render({ valuesFiles: [scenario], values: { sessionStore: { fallback: { mode: 'none' } } } });
    const env = containerEnv(objects, secrets);
    expect(Object.keys(env).filter((k) => k.startsWith('SESSION_FALLBACK'))).toEqual([]);
    expect(cookiesOf(objects)).not.toContain('_shop_session_fb');
  });

  it('refuses the cookie fallback with the cookie store, restore without the fallback, and a max age below 30 s', async () => {
    expect(await refusal({ sessionStore: { type: 'cookie' } })).toContain(
      'sessionStore.fallback.mode cookie keeps sessions usable while Redis is down: it needs sessionStore.type redis',
    );
    expect(await refusal({ sessionStore: { fallback: { mode: 'none', restore: true } } })).toContain(
      'sessionStore.fallback.restore re-creates sessions from their fallback copies',
    );
    expect(await refusal({ sessionStore: { fallback: { maxAge: 10 } } })).toContain(
      'sessionStore.fallback.maxAge must be 0 (service default) or at least 30 seconds',
    );
    expect(await refusal({ sessionStore: { fallback: { mode: 'redis' } } })).toMatch(/sessionStore\/fallback\/mode/);
  });
});
