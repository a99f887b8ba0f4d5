import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import supertest from 'supertest';
import { cookieHeader, ORIGIN, startHarness, type Harness } from '../support/harness.js';
import { ProviderBrowser, loginWith } from '../support/provider-browser.js';

const PAYLOADS: string[] = JSON.parse(
  readFileSync(new URL('../fixtures/open-redirect-payloads.json', import.meta.url), 'utf8'),
) as string[];
const setCookies = (res: supertest.Response) => res.headers['set-cookie'] as unknown as string[] | undefined;

describe('logout with ?redirect= through the provider round trip', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ store: 'cookie' });
  });
  afterAll(async () => {
    await h.close();
  });

  it('lands on the path after end-session, post_logout_redirect_uri staying the registered one, once', async () => {
    const browser = new ProviderBrowser();
    const cookie = await loginWith(h, browser);
    const out = await h.forward(`/oauth2/logout?redirect=${encodeURIComponent('/inbox?folder=1')}`, { cookie });
    expect(out.status).toBe(302);
    const endSession = new URL(out.headers.location ?? '');
    expect(endSession.href.startsWith(`${h.idp.issuer}/session/end`)).toBe(true);
    expect(endSession.searchParams.get('post_logout_redirect_uri')).toBe(`${ORIGIN}/oauth2/signed-out`);
    const jar = cookieHeader(setCookies(out), cookie);
    expect(jar).toContain('_t_logout_return=');
    const back = new URL(await browser.endSession(endSession.href));
    expect(back.origin + back.pathname).toBe(`${ORIGIN}/oauth2/signed-out`);
    const landed = await h.forward(back.pathname + back.search, { cookie: jar });
    expect(landed.status).toBe(302);
    expect(landed.headers.location).toBe(`${ORIGIN}/inbox?folder=1`);
    const after = cookieHeader(setCookies(landed), jar);
    expect(after).not.toContain('_t_logout_return=');
    expect((await h.forward('/oauth2/signed-out', { cookie: after })).status).toBe(401);
    expect((await h.forward('/', { cookie: after, accept: 'application/json' })).status).toBe(401);
  });

  it('never leaves the origin, whatever the redirect value or a planted return cookie says', async () => {
    for (const payload of [...PAYLOADS, '/oauth2/logout', '/oauth2/logout/local']) {
      const out = await h.forward(`/oauth2/logout?redirect=${encodeURIComponent(payload)}`);
      expect(out.headers.location?.startsWith(`${h.idp.issuer}/session/end`)).toBe(true);
      for (const jar of [
        cookieHeader(setCookies(out)),
        `_t_logout_return=${Buffer.from(payload).toString('base64url')}`,
      ]) {
        const landed = await h.forward('/oauth2/signed-out', { cookie: jar });
        if (landed.status === 302) {
          const url = new URL(landed.headers.location ?? '');
          expect({ payload, origin: url.origin }).toEqual({ payload, origin: ORIGIN });
          expect(url.pathname.startsWith('/oauth2/logout')).toBe(false);
        } else {
          expect(landed.status).toBe(401);
        }
      }
    }
  });
});

describe('logout with ?redirect= without an end_session_endpoint', () => {
  it('redirects straight to the path on the app', async () => {
    const h = await startHarness({ rpInitiatedLogout: false });
    try {
      const cookie = await h.login('alice');
      const res = await h.forward('/oauth2/logout?redirect=%2Finbox', { cookie });
      expect(res.headers.location).toBe(`${ORIGIN}/inbox`);
      const hostile = await h.forward('/oauth2/logout?redirect=%2F%2Fevil.example');
      expect(new URL(hostile.headers.location ?? '').origin).toBe(ORIGIN);
    } finally {
      await h.close();
    }
  });
});

describe.each(['cookie', 'redis'] as const)('local logout, %s store', (store) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ store });
  });
  afterAll(async () => {
    await h.close();
  });

  it('ends the session without the provider round trip: 204, cookies cleared', async () => {
    const cookie = await h.login('alice');
    const res = await supertest(h.baseUrl).get('/oauth2/logout/local').set('Cookie', cookie);
    expect(res.status).toBe(204);
    expect(res.headers.location).toBeUndefined();
    expect((setCookies(res) ?? []).join()).toMatch(/_t_session=;.*(Max-Age=0|Expires=Thu, 01 Jan 1970)/);
    const after = cookieHeader(setCookies(res), cookie);
    expect((await h.forward('/', { cookie: after, accept: 'application/json' })).status).toBe(401);
    if (store === 'redis') expect((await h.forward('/', { cookie, accept: 'application/json' })).status).toBe(401);
  });

  it('answers 204 through forwardAuth and by POST, but refuses a cross-site POST', async () => {
    const cookie = await h.login('alice');
    expect((await h.forward('/oauth2/logout/local', { cookie })).status).toBe(204);
    const other = await h.login('bob');
    const refused = await supertest(h.baseUrl)
      .post('/oauth2/logout/local')
      .set('Cookie', other)
      .set('Sec-Fetch-Site', 'cross-site');
    expect(refused.status).toBe(400);
    expect((await h.forward('/', { cookie: other, accept: 'application/json' })).status).toBe(200);
    expect((await supertest(h.baseUrl).post('/oauth2/logout/local').set('Cookie', other)).status).toBe(204);
  });
});
