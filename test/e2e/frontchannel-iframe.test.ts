// Chromium loads front-channel logout the way a provider does: in an iframe of a page on
// the provider's origin, cross-site, so no cookie of the app reaches the service.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { parseCookies } from '../../src/session/cookies.js';
import { startReplicas, type Replicas } from '../support/replicas.js';
import { launchBrowser } from './support/browser.js';

const page = (src: string) => `<!doctype html><html><body><iframe id="op" src="${src}"></iframe></body></html>`;

describe('front-channel logout from a provider-origin iframe in Chromium', () => {
  let r: Replicas;
  let browser: Browser;
  let foreign: http.Server;
  let frameSrc = '';
  beforeAll(async () => {
    r = await startReplicas({ store: 'redis', env: { SESSION_CACHE_TTL: '1' } });
    // The provider's own origin serves the page that embeds the logout URL, as an OP's logout page does.
    r.idp.provider.use(async (ctx, next) => {
      if (ctx.path !== '/test-frontchannel') return next();
      ctx.type = 'html';
      ctx.body = page(frameSrc);
    });
    foreign = http.createServer((_req, res) => res.end(page(frameSrc)));
    await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', () => resolve()));
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => foreign.close(resolve));
    await r.close();
  });

  const sidOf = async (cookie: string) => (await r.a.service.sessions.get(parseCookies(cookie)))?.session.sid as string;

  it('is not rendered inside a page of another origin (frame-ancestors is the issuer only)', async () => {
    const cookie = await r.a.login('bob');
    frameSrc = `${r.a.baseUrl}/oauth2/logout/frontchannel?sid=${encodeURIComponent(await sidOf(cookie))}`;
    const tab = await browser.newPage();
    const blocked = new Promise<boolean>((resolve) => {
      tab.on('console', (msg) => {
        if (msg.text().includes('frame-ancestors')) resolve(true);
      });
      setTimeout(() => resolve(false), 5000);
    });
    await tab.goto(`http://127.0.0.1:${(foreign.address() as AddressInfo).port}/`);
    expect(await blocked).toBe(true);
    await tab.close();
  });
});
