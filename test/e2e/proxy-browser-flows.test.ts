import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { DevIdentityProvider } from '../../dev/identity-provider.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { launchBrowser, screenshot, signIn } from './support/browser.js';
import {
  BYPASS_PATH,
  freePort,
  originFor,
  startCaddy,
  startIdp,
  startNginx,
  startServiceFor,
  type Proc,
} from './support/stack.js';
import { startUpstream, type Upstream } from './support/upstream.js';

/** The same browser journey through each proxy example and session store. */
const STACKS = [
  { name: 'caddy', proxy: 'caddy', store: 'cookie' },
  { name: 'nginx', proxy: 'nginx', store: 'cookie' },
  { name: 'caddy-redis', proxy: 'caddy', store: 'redis' },
] as const;

let browser: Browser;
let idp: DevIdentityProvider;
const ports = new Map<string, number>();

beforeAll(async () => {
  for (const s of STACKS) ports.set(s.name, await freePort());
  [browser, idp] = await Promise.all([launchBrowser(), startIdp([...ports.values()].map(originFor))]);
});

afterAll(async () => {
  await browser?.close();
  await idp?.close();
});

describe.each(STACKS)('through $name ($store sessions)', ({ name, proxy, store }) => {
  let origin: string;
  let upstream: Upstream;
  let redis: RedisServer | undefined;
  let stopService: () => Promise<void>;
  let front: Proc;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    const port = ports.get(name) ?? 0;
    origin = originFor(port);
    upstream = await startUpstream();
    redis = store === 'redis' ? await startRedisServer() : undefined;
    const svc = await startServiceFor(idp, port, { SESSION_STORE: store, ...(redis ? { REDIS_URL: redis.url } : {}) });
    stopService = () => svc.service.stop();
    front =
      proxy === 'caddy'
        ? await startCaddy(port, svc.address, upstream.address)
        : await startNginx(port, svc.address, upstream.address);
  });

  afterAll(async () => {
    await Promise.all(contexts.map((c) => c.close()));
    await front?.stop();
    await stopService?.();
    await upstream?.close();
    await redis?.stop();
  });

  async function newPage(width = 1000): Promise<Page> {
    const context = await browser.newContext({ viewport: { width, height: 760 } });
    contexts.push(context);
    return context.newPage();
  }

  /** Opens `path`, signs in at the provider as `user`, and waits to be back on the app. */
  async function loginAs(page: Page, user: string, path = '/'): Promise<void> {
    await page.goto(origin + path);
    expect(page.url()).toContain(`${idp.issuer}/interaction/`);
    await signIn(page, user);
    await page.waitForURL((url) => url.origin === origin);
  }

  it('signs alice in at the provider and returns her to the page and query she asked for, with her identity', async () => {
    const page = await newPage();
    await page.goto(`${origin}/reports/q3?year=2025&view=full%20table`);
    expect(page.url()).toContain(`${idp.issuer}/interaction/`);
    await screenshot(page, `${name}-login-page`);
    await signIn(page, 'alice');
    await page.waitForURL(`${origin}/reports/q3?year=2025&view=full%20table`);
    await expect(page.getByTestId('user').textContent()).resolves.toBe('Alice Andersen');
    await expect(page.getByTestId('email').textContent()).resolves.toBe('alice@example.test');
    await expect(page.getByTestId('path').textContent()).resolves.toBe('GET /reports/q3?year=2025&view=full%20table');
    await screenshot(page, `${name}-app-page`);
    const last = upstream.seen.at(-1);
    expect(last?.user).toBe('Alice Andersen');
    expect(String(last?.headers.cookie ?? '')).toMatch(/_idp_/); // forwardAuth mode: the app sees the browser's cookies
  });

  it('shows bob, who lacks the demo-users group, the service’s 403 page and never reaches the app', async () => {
    const before = upstream.seen.length;
    const page = await newPage(390);
    await page.goto(`${origin}/reports`);
    await signIn(page, 'bob');
    await page.waitForURL(`${origin}/reports`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('You don’t have access');
    await expect(page.locator('main').textContent()).resolves.toContain('signed in as Bob Berg');
    const res = await page.reload();
    expect(res?.status()).toBe(403);
    await screenshot(page, `${name}-forbidden-page-390px`);
    expect(upstream.seen.length).toBe(before);
  });

  it('serves a bypass path without asking anyone to sign in, and without identity headers', async () => {
    const page = await newPage();
    const res = await page.goto(origin + BYPASS_PATH);
    expect(res?.status()).toBe(200);
    expect(page.url()).toBe(origin + BYPASS_PATH);
    await expect(page.locator('main').textContent()).resolves.toContain('Nobody is signed in');
  });

  it('shows a readable error page with a way to retry when a sign-in link is stale', async () => {
    const page = await newPage(390);
    const res = await page.goto(`${origin}/oauth2/callback?code=stale&state=not-a-login-we-started`);
    expect(res?.status()).toBe(400);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Sign-in expired');
    await expect(page.getByRole('link', { name: 'Try again' }).getAttribute('href')).resolves.toBe(
      `${origin}/oauth2/login`,
    );
    await screenshot(page, `${name}-error-page-390px`);
  });

  it('answers fetch() with a JSON 401, not a redirect, once the session cookies are gone', async () => {
    const page = await newPage();
    await loginAs(page, 'alice', '/dashboard');
    const ok = await page.evaluate(async () => (await fetch('/api/whoami')).json());
    expect(ok).toMatchObject({ user: 'Alice Andersen' });
    await page.context().clearCookies();
    const answer = await page.evaluate(async () => {
      const r = await fetch('/api/whoami');
      return { status: r.status, redirected: r.redirected, type: r.headers.get('content-type'), body: await r.json() };
    });
    expect(answer).toMatchObject({ status: 401, redirected: false, body: { error: 'unauthenticated' } });
    expect(answer.type).toContain('application/json');
    expect(answer.body.loginUrl).toBe(`${origin}/oauth2/login?redirect=%2Fapi%2Fwhoami`);
  });

  it('signs out at /oauth2/logout, shows the signed-out page, and a reload asks for login again', async () => {
    const page = await newPage();
    await loginAs(page, 'alice', '/home');
    await page.goto(`${origin}/oauth2/logout`);
    await page.waitForURL(`${origin}/oauth2/signed-out`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('You are signed out');
    await screenshot(page, `${name}-signed-out-page`);
    await page.goto(`${origin}/home`);
    expect(page.url()).toContain(`${idp.issuer}/interaction/`);
    await expect(page.getByRole('button', { name: 'Sign in' }).isVisible()).resolves.toBe(true);
  });
});
