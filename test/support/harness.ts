import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import supertest from 'supertest';
import { loadConfig, type Config } from '../../src/config/index.js';
import { startDevIdentityProvider, type DevIdentityProvider } from '../../dev/identity-provider.js';
import { DEV_USERS } from '../../dev/test-users.js';
import { createLogger } from '../../src/observability/logger.js';
import { Metrics } from '../../src/observability/metrics.js';
import { startService, type RunningService } from '../../src/server.js';
import { startRedisServer, type RedisServer } from './redis-server.js';
import { whenReachable } from './sessions.js';

export const DOMAIN = 'app.test';
export const ORIGIN = `https://${DOMAIN}`;
export const SESSION_SECRET = '0123456789abcdef0123456789abcdef';
export const CLIENT = { clientId: 'test-app', clientSecret: 'test-app-secret-value' };

/** The variables every test service shares: the dev provider's issuer and the test client. */
export function serviceEnv(issuer: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    OIDC_ISSUER_URL: issuer,
    OIDC_ALLOW_INSECURE_HTTP: 'true',
    OIDC_CLIENT_ID: CLIENT.clientId,
    OIDC_CLIENT_SECRET: CLIENT.clientSecret,
    SESSION_SECRET,
    DOMAIN,
    HOST: '127.0.0.1',
    PORT: '0',
    PROBE_PORT: '0',
    ...overrides,
  };
}

/** Starts the service with its log lines captured in `logs`. */
export async function startCapturedService(config: Config): Promise<{ service: RunningService; logs: string[] }> {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const service = await startService(config, { logger: createLogger(config.logLevel, sink), metrics: new Metrics() });
  return { service, logs };
}

/** A real provider plus the service, wired the way Traefik would call it. */
export interface Harness {
  readonly idp: DevIdentityProvider;
  /** The real redis-server, when the store is redis. */
  readonly redis: RedisServer | undefined;
  readonly service: RunningService;
  readonly config: Config;
  readonly baseUrl: string;
  /** The probe listener: `/healthz`, `/readyz`, `/metrics`. */
  readonly probeUrl: string;
  /** Every log line the service wrote. */
  readonly logs: string[];
  /** A forwardAuth subrequest for the original `uri`, as Traefik sends it. */
  forward(
    uri: string,
    options?: { cookie?: string; accept?: string; method?: string; headers?: Record<string, string> },
  ): supertest.Test;
  /**
   * Logs `username` in through forwardAuth end to end; returns the Cookie header for the session.
   * With `cookie` (a browser that already holds cookies, a session perhaps) it starts at the
   * login path with those cookies and returns them as the callback's Set-Cookie left them.
   */
  login(username?: string, returnTo?: string, cookie?: string): Promise<string>;
  close(): Promise<void>;
}

/** Joins Set-Cookie values into a Cookie header, dropping cleared cookies. */
export function cookieHeader(setCookies: readonly string[] | string | undefined, existing = ''): string {
  const jar = new Map(
    existing
      .split('; ')
      .filter(Boolean)
      .map((c) => [c.slice(0, c.indexOf('=')), c.slice(c.indexOf('=') + 1)] as const),
  );
  for (const line of [setCookies ?? []].flat()) {
    const pair = line.split(';')[0] ?? '';
    const name = pair.slice(0, pair.indexOf('='));
    const value = pair.slice(pair.indexOf('=') + 1);
    if (value === '' || /max-age=0/i.test(line)) jar.delete(name);
    else jar.set(name, value);
  }
  return [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
}

/** Drives the provider's login page like a browser; returns the callback URL (on `appOrigin`) it redirects to. */
export async function signInAtProvider(
  authorizationUrl: string,
  username: string,
  password?: string,
  appOrigin: string = ORIGIN,
): Promise<string> {
  const user = DEV_USERS.find((u) => u.username === username);
  let cookies = '';
  let url = authorizationUrl;
  for (let hop = 0; hop < 8; hop++) {
    const isInteraction = /\/interaction\/[\w-]+$/.test(new URL(url).pathname);
    const res = await fetch(url, {
      redirect: 'manual',
      method: isInteraction ? 'POST' : 'GET',
      headers: { cookie: cookies, ...(isInteraction ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      ...(isInteraction
        ? { body: new URLSearchParams({ username, password: password ?? user?.password ?? '' }).toString() }
        : {}),
    });
    cookies = cookieHeader(res.headers.getSetCookie(), cookies);
    const location = res.headers.get('location');
    if (!location)
      throw new Error(`provider answered ${res.status} without a redirect: ${(await res.text()).slice(0, 200)}`);
    url = new URL(location, url).href;
    if (url.startsWith(appOrigin)) return url;
  }
  throw new Error('provider did not redirect back');
}

/**
 * Starts the service against the dev provider. `idp` shares a provider the caller
 * started (and closes); `client` and `domain` set OIDC_CLIENT_ID/SECRET and DOMAIN;
 * an `env.REDIS_URL` shares a redis-server instead of starting one.
 */
export async function startHarness(
  options: {
    store?: 'cookie' | 'redis' | 'memory';
    env?: Record<string, string>;
    rpInitiatedLogout?: boolean;
    idp?: DevIdentityProvider;
    client?: typeof CLIENT;
    domain?: string;
  } = {},
): Promise<Harness> {
  const redis =
    options.store === 'redis' && options.env?.REDIS_URL === undefined ? await startRedisServer() : undefined;
  const domain = options.domain ?? DOMAIN;
  const client = options.client ?? CLIENT;
  const idp =
    options.idp ??
    (await startDevIdentityProvider({
      clients: [
        {
          ...CLIENT,
          redirectUris: [`${ORIGIN}/oauth2/callback`],
          postLogoutRedirectUris: [`${ORIGIN}/oauth2/signed-out`],
        },
      ],
      ...(options.rpInitiatedLogout === false ? { rpInitiatedLogout: false } : {}),
    }));
  const config = loadConfig(
    serviceEnv(idp.issuer, {
      SESSION_STORE: options.store ?? 'cookie',
      ...(redis ? { REDIS_URL: redis.url } : {}),
      COOKIE_NAME_PREFIX: '_t_',
      LOG_LEVEL: 'debug',
      OIDC_CLIENT_ID: client.clientId,
      OIDC_CLIENT_SECRET: client.clientSecret,
      DOMAIN: domain,
      // Generous for a busy 2-core CI machine: a 250 ms write timing out would fail a login in
      // a test about something else. Tests of outages set REDIS_COMMAND_TIMEOUT themselves.
      REDIS_COMMAND_TIMEOUT: '1500',
      ...options.env,
    }),
  );
  const { service, logs } = await startCapturedService(config);
  await service.oidc.start();
  // The Redis client connects in the background and queues nothing offline: a session seeded
  // before it is up would fail with "The client is offline" on a busy machine.
  if (redis !== undefined) await whenReachable(service.sessions);
  const baseUrl = `http://127.0.0.1:${(service.server.address() as AddressInfo).port}`;
  const probeUrl = `http://127.0.0.1:${(service.probeServer.address() as AddressInfo).port}`;

  const forward: Harness['forward'] = (uri, o = {}) => {
    const req = supertest(baseUrl)
      .get('/oauth2/auth')
      .set('X-Forwarded-Proto', 'https')
      .set('X-Forwarded-Host', domain)
      .set('X-Forwarded-Uri', uri)
      .set('X-Forwarded-Method', o.method ?? 'GET')
      .set('Accept', o.accept ?? 'text/html,application/xhtml+xml');
    if (o.cookie) req.set('Cookie', o.cookie);
    for (const [k, v] of Object.entries(o.headers ?? {})) req.set(k, v);
    return req;
  };

  const login: Harness['login'] = async (username = 'alice', returnTo = '/', cookie) => {
    const start =
      cookie === undefined
        ? await forward(returnTo)
        : await forward(`${config.loginPath}?redirect=${encodeURIComponent(returnTo)}`, { cookie });
    if (start.status !== 302) throw new Error(`expected a login redirect, got ${start.status}`);
    const txCookies = cookieHeader(start.headers['set-cookie'], cookie);
    const callback = new URL(
      await signInAtProvider(start.headers.location ?? '', username, undefined, `https://${domain}`),
    );
    const done = await forward(callback.pathname + callback.search, { cookie: txCookies });
    if (done.status !== 302) throw new Error(`callback failed with ${done.status}: ${done.text}`);
    return cookieHeader(done.headers['set-cookie'], txCookies);
  };

  return {
    idp,
    redis,
    service,
    config,
    baseUrl,
    probeUrl,
    logs,
    forward,
    login,
    close: async () => {
      await service.stop();
      if (!options.idp) await idp.close();
      await redis?.stop();
    },
  };
}
