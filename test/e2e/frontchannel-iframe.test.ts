// Chromium loads front-channel logout the way a provider does: in an iframe of a page on
// the provider's origin, cross-site, so no cookie of the app reaches the service.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { parseCookies } from '../../src/session/cookies.js';
import { passes, startReplicas, type Replicas } from '../support/replicas.js';
import { launchBrowser } from './support/browser.js';

const page = (src: string) => `<!doctype html><html><body><iframe id="op" src="${src}"></iframe></body></html>`;

/** Console lines in which Chromium reports a refused frame. */
function frameRefusals(tab: Page): string[] {
  const lines: string[] = [];
  tab.on('console', (msg) => {
    if (msg.text().includes('frame-ancestors')) lines.push(msg.text());
  });
  return lines;
}

describe('front-channel logout from a provider-origin iframe in Chromium', () => {
  let r: Replicas;
  let browser: Browser;
  let foreign: http.Server;
  let frameSrc = '';
  beforeAll(async () => {
    r = await startReplicas({ store: 'redis', env: { SESSION_CACHE_TTL: '1' } });
    foreign = http.createServer((_req, res) => res.end(page(frameSrc)));
    await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', () => resolve()));
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => {
      foreign.closeAllConnections();
      foreign.close(resolve);
    });
    await r.close();
  });

  const sidOf = async (cookie: string) => (await r.a.service.sessions.get(parseCookies(cookie)))?.session.sid as string;
  const logoutUrl = (sid: string) =>
    `${r.a.baseUrl}/oauth2/logout/frontchannel?sid=${encodeURIComponent(sid)}&iss=${encodeURIComponent(r.idp.issuer)}`;

  it('is rendered inside a page of the issuer origin and ends that sid on every replica, not another', async () => {
    const bob = await r.a.login('bob');
    const alice = await r.a.login('alice');
    const [bobSid, aliceSid] = [await sidOf(bob), await sidOf(alice)];
    expect(bobSid).toBeTruthy();
    expect(aliceSid).not.toBe(bobSid);
    expect(await passes(r.b, bob)).toBe(true);

    frameSrc = logoutUrl(bobSid);
    // The provider's own origin serves the page that embeds the logout URL, as an OP's logout page does.
    r.idp.pages.set('/frontchannel-test.html', page(frameSrc));
    const tab = await browser.newPage();
    const refusals = frameRefusals(tab);
    const failed: string[] = [];
    tab.on('requestfailed', (req) => failed.push(req.url()));
    const answered = tab.waitForResponse((res) => res.url().startsWith(`${r.a.baseUrl}/oauth2/logout/frontchannel`));
    const opPage = `${r.idp.issuer}/frontchannel-test.html`;
    expect(new URL(opPage).origin).toBe(new URL(r.idp.issuer).origin);
    await tab.goto(opPage, { waitUntil: 'load' });
    const response = await answered;
    expect(response.status()).toBe(200);
    expect(response.headers()['content-security-policy']).toContain(`frame-ancestors ${new URL(r.idp.issuer).origin}`);
    expect(response.headers()['x-frame-options']).toBeUndefined();

    // A refused frame is replaced by Chromium's error page (chrome-error://); a rendered one shows the service's page.
    const frame = tab.frames().find((f) => f !== tab.mainFrame());
    expect(frame?.url()).toBe(frameSrc);
    expect(await frame?.title()).toBe('Signed out');
    await tab.waitForTimeout(300);
    expect(refusals).toEqual([]);
    expect(failed).toEqual([]);
    await tab.close();

    // Replica a ended it; replica b drops its cached copy within SESSION_CACHE_TTL (1 s).
    await new Promise((resolve) => setTimeout(resolve, 1100));
    for (const replica of [r.a, r.b]) {
      const res = await replica.forward('/', { cookie: bob, accept: 'application/json' });
      expect(res.status).toBe(401);
      expect((await replica.forward('/', { cookie: bob })).status).toBe(302);
      expect(await passes(replica, alice)).toBe(true);
    }
  });

  it('is not rendered inside a page of another origin (frame-ancestors is the issuer only)', async () => {
    const cookie = await r.a.login('bob');
    frameSrc = logoutUrl(await sidOf(cookie));
    const tab = await browser.newPage();
    const blocked = new Promise<boolean>((resolve) => {
      tab.on('console', (msg) => {
        if (msg.text().includes('frame-ancestors')) resolve(true);
      });
      setTimeout(() => resolve(false), 5000);
    });
    await tab.goto(`http://127.0.0.1:${(foreign.address() as AddressInfo).port}/`);
    expect(await blocked).toBe(true);
    const frame = tab.frames().find((f) => f !== tab.mainFrame());
    expect(frame?.url()).not.toBe(frameSrc);
    await tab.close();
  });
});
