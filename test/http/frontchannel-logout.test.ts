import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import supertest from 'supertest';
import { parseCookies } from '../../src/session/cookies.js';
import { startHarness, type Harness } from '../support/harness.js';
import { ProviderBrowser, loginWith } from '../support/provider-browser.js';
import { passes, startReplicas, type Replicas } from '../support/replicas.js';

const PATH = '/oauth2/logout/frontchannel';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function sidOf(h: Harness, cookie: string): Promise<string> {
  const sid = (await h.service.sessions.get(parseCookies(cookie)))?.session.sid;
  if (sid === undefined) throw new Error('the session has no sid');
  return sid;
}

function expectFramable(res: supertest.Response, issuer: string): void {
  expect(res.headers['x-frame-options']).toBeUndefined();
  expect(res.headers['content-security-policy']).toContain(`frame-ancestors ${new URL(issuer).origin}`);
  expect(res.headers['content-security-policy']).not.toContain("frame-ancestors 'none'");
  expect(res.headers['cache-control']).toBe('no-cache, no-store');
  expect(res.headers.pragma).toBe('no-cache');
}

describe.each(['redis', 'cookie'] as const)('front-channel logout, two replicas, %s store on one redis', (store) => {
  let r: Replicas;
  beforeAll(async () => {
    r = await startReplicas({ store, env: { SESSION_CACHE_TTL: '1' } });
  });
  afterAll(async () => {
    await r.close();
  });

  it('ends every session of the sid on both replicas within SESSION_CACHE_TTL, with a framable no-store 200', async () => {
    const browser = new ProviderBrowser();
    const first = await loginWith(r.a, browser);
    const second = await loginWith(r.b, browser); // another tab: same provider session, same sid
    const sid = await sidOf(r.a, first);
    expect(await sidOf(r.b, second)).toBe(sid);
    const other = await r.a.login('bob');
    for (const h of [r.a, r.b]) for (const c of [first, second]) expect(await passes(h, c)).toBe(true);

    // The provider's iframe: cross-site, so no cookies at all (Entra sends only sid).
    const res = await supertest(r.a.baseUrl)
      .get(`${PATH}?sid=${encodeURIComponent(sid)}`)
      .set('Accept', 'text/html');
    expect(res.status).toBe(200);
    expectFramable(res, r.idp.issuer);
    await sleep(1100);
    for (const h of [r.a, r.b]) {
      for (const c of [first, second]) expect(await passes(h, c)).toBe(false);
      expect(await passes(h, other)).toBe(true);
    }
  });

  it('refuses an iss other than the issuer with 400 and ends nothing; the issuer itself is accepted', async () => {
    const cookie = await r.a.login('alice');
    const sid = await sidOf(r.a, cookie);
    const bad = await supertest(r.b.baseUrl).get(`${PATH}?sid=${sid}&iss=${encodeURIComponent('http://evil.test')}`);
    expect(bad.status).toBe(400);
    await sleep(1100);
    for (const h of [r.a, r.b]) expect(await passes(h, cookie)).toBe(true);
    const good = await supertest(r.b.baseUrl).get(`${PATH}?sid=${sid}&iss=${encodeURIComponent(r.idp.issuer)}`);
    expect(good.status).toBe(200);
    await sleep(1100);
    for (const h of [r.a, r.b]) expect(await passes(h, cookie)).toBe(false);
  });

  it('through forwardAuth ends the sessions too but answers like the signed-out page (401, never a 2xx)', async () => {
    const cookie = await r.a.login('alice');
    const sid = await sidOf(r.a, cookie);
    const res = await r.b.forward(`${PATH}?sid=${sid}`);
    expect(res.status).toBe(401);
    expect(res.text).toMatch(/signed out/);
    expectFramable(res, r.idp.issuer);
    await sleep(1100);
    for (const h of [r.a, r.b]) expect(await passes(h, cookie)).toBe(false);
  });
});

describe('front-channel logout in sidecar mode', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ store: 'memory', env: { UPSTREAM_URL: 'http://127.0.0.1:9' } });
  });
  afterAll(async () => {
    await h.close();
  });

  it('answers the provider itself with a framable 200 and ends the session of the sid', async () => {
    const start = await supertest(h.baseUrl).get('/').set('Accept', 'text/html');
    expect(start.status).toBe(302);
    const unknown = await supertest(h.baseUrl).get(`${PATH}?sid=unknown-sid`);
    expect(unknown.status).toBe(200);
    expectFramable(unknown, h.idp.issuer);
  });
});
