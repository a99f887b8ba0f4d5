// UNAUTHENTICATED_BEHAVIOR=pass in Chromium, through Caddy (forwardAuth) and in sidecar
// mode: a public page loads without login, the app's own "Sign in" link goes to
// /oauth2/login?redirect=<page>, and after login the app sees who is signed in.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { DevIdentityProvider } from '../../dev/identity-provider.js';
import { launchBrowser, screenshot, signIn } from './support/browser.js';
import { freePort, originFor, startCaddy, startIdp, startServiceFor, type Proc } from './support/stack.js';
import { startUpstream, type Upstream } from './support/upstream.js';

const MODES = ['caddy', 'sidecar'] as const;

let browser: Browser;
let idp: DevIdentityProvider;
const ports = new Map<string, number>();

beforeAll(async () => {
  for (const m of MODES) ports.set(m, await freePort());
  [browser, idp] = await Promise.all([launchBrowser(), startIdp([...ports.values()].map(originFor))]);
});

afterAll(async () => {
  await browser?.close();
  await idp?.close();
});

describe.each(MODES)('pass-through mode through %s', (mode) => {
  let origin: string;
  let upstream: Upstream;
  let stopService: () => Promise<void>;
  let front: Proc | undefined;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    const port = ports.get(mode) ?? 0;
    origin = originFor(port);
    upstream = await startUpstream();
    const env: Record<string, string> = { UNAUTHENTICATED_BEHAVIOR: 'pass' };
    if (mode === 'sidecar') Object.assign(env, { UPSTREAM_URL: upstream.url, PORT: String(port) });
    const svc = await startServiceFor(idp, port, env);
    stopService = () => svc.service.stop();
    if (mode === 'caddy') front = await startCaddy(port, svc.address, upstream.address);
    context = await browser.newContext({ viewport: { width: 1000, height: 760 } });
    page = await context.newPage();
  });

  afterAll(async () => {
    await context?.close();
    await front?.stop();
    await stopService?.();
    await upstream?.close();
  });

  it('loads a public landing page without login, and the app sees no identity', async () => {
    upstream.seen.length = 0;
    const res = await page.goto(`${origin}/x?tab=news`);
    expect(res?.status()).toBe(200);
    expect(page.url()).toBe(`${origin}/x?tab=news`);
    await expect(page.locator('main').textContent()).resolves.toContain('Nobody is signed in');
    const seen = upstream.seen.find((r) => r.url === '/x?tab=news');
    expect(seen?.user).toBeUndefined();
    expect(seen?.email).toBeUndefined();
    await screenshot(page, `pass-through-${mode}-anonymous`);
  });

  it("follows the app's own Sign in link to /oauth2/login?redirect=, and comes back signed in", async () => {
    const link = page.getByTestId('sign-in');
    await expect(link.getAttribute('href')).resolves.toBe('/oauth2/login?redirect=%2Fx%3Ftab%3Dnews');
    await link.click();
    await page.waitForURL((url) => url.href.startsWith(`${idp.issuer}/interaction/`));
    await signIn(page, 'alice');
    await page.waitForURL((url) => url.origin === origin);
    expect(page.url()).toBe(`${origin}/x?tab=news`);
    await expect(page.getByTestId('user').textContent()).resolves.toBe('Alice Andersen');
    await expect(page.getByTestId('email').textContent()).resolves.toBe('alice@example.test');
    await screenshot(page, `pass-through-${mode}-signed-in`);
  });

  it('shows bob the 403 page, whose "Sign in with another account" brings him back as alice', async () => {
    const other = await browser.newContext({ viewport: { width: 390, height: 760 } });
    try {
      const tab = await other.newPage();
      await tab.goto(`${origin}/reports`);
      await tab.getByTestId('sign-in').click();
      await tab.waitForURL((url) => url.href.startsWith(`${idp.issuer}/interaction/`));
      await signIn(tab, 'bob');
      await tab.waitForURL(`${origin}/reports`);
      await expect(tab.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('You don’t have access');
      const link = tab.getByRole('link', { name: 'Sign in with another account' });
      await expect(link.getAttribute('href')).resolves.toBe(
        `${origin}/oauth2/login?prompt=select_account&redirect=%2Freports`,
      );
      await screenshot(tab, `pass-through-${mode}-forbidden-390px`);
      await link.click();
      await tab.waitForURL((url) => url.href.startsWith(`${idp.issuer}/interaction/`));
      await signIn(tab, 'alice');
      await tab.waitForURL(`${origin}/reports`);
      await expect(tab.getByTestId('user').textContent()).resolves.toBe('Alice Andersen');
    } finally {
      await other.close();
    }
  });

  it('never lets a spoofed identity header through for an anonymous request', async () => {
    const anonymous = await browser.newContext();
    try {
      upstream.seen.length = 0;
      const res = await anonymous.request.get(`${origin}/api/me`, {
        headers: { 'X-Forwarded-User': 'Mallory', 'X-Forwarded-Email': 'mallory@evil.test', X_Forwarded_User: 'M' },
      });
      expect(res.status()).toBe(200);
      const body = (await res.json()) as { user?: string; email?: string; headers: Record<string, unknown> };
      expect(body.user).toBeUndefined();
      expect(body.email).toBeUndefined();
      expect(Object.keys(body.headers).filter((h) => /^x[-_]forwarded[-_](user|email)$/i.test(h))).toEqual([]);
    } finally {
      await anonymous.close();
    }
  });
});
