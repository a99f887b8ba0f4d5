import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import supertest from 'supertest';
import { cookieHeader, ORIGIN, signInAtProvider, startHarness, type Harness } from '../support/harness.js';

describe.each(['cookie', 'redis'] as const)('logout with the %s store', (store) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ store });
  });
  afterAll(async () => {
    await h.close();
  });

  it('destroys the session, then redirects to end_session with id_token_hint and post_logout_redirect_uri', async () => {
    const cookie = await h.login('alice');
    const res = await h.forward('/oauth2/logout', { cookie });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.location ?? '');
    expect(location.href.startsWith(`${h.idp.issuer}/session/end`)).toBe(true);
    expect(location.searchParams.get('id_token_hint')).toMatch(/^ey/);
    expect(location.searchParams.get('post_logout_redirect_uri')).toBe(`${ORIGIN}/oauth2/signed-out`);
    expect((res.headers['set-cookie'] as unknown as string[]).join()).toMatch(
      /_t_session=;.*(Max-Age=0|Expires=Thu, 01 Jan 1970)/,
    );
    const after = cookieHeader(res.headers['set-cookie'], cookie);
    expect((await h.forward('/', { cookie: after, accept: 'application/json' })).status).toBe(401);
    if (store === 'redis') {
      // Server side too: the old cookie, replayed, no longer works.
      expect((await h.forward('/', { cookie, accept: 'application/json' })).status).toBe(401);
    }
  });

  it('never loops: the signed-out page is not protected and not a redirect', async () => {
    const res = await h.forward('/oauth2/signed-out');
    expect(res.status).toBe(401);
    expect(res.headers.location).toBeUndefined();
    expect(res.text).toMatch(/signed out/);
    const again = await h.forward('/oauth2/logout');
    expect(again.status).toBe(302);
    expect(again.headers.location).not.toContain('/oauth2/logout');
  });
});

describe('without an end_session_endpoint', () => {
  it('redirects straight to the post-logout URL', async () => {
    const h = await startHarness({
      env: { POST_LOGOUT_REDIRECT_URI: 'https://app.test/bye' },
      rpInitiatedLogout: false,
    });
    try {
      const cookie = await h.login('alice');
      const res = await h.forward('/oauth2/logout', { cookie });
      expect(res.headers.location).toBe('https://app.test/bye');
    } finally {
      await h.close();
    }
  });
});

describe('login, callback and logout called directly on the service', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it('completes a login through /oauth2/login?redirect=, /oauth2/callback, and logs out with /oauth2/logout', async () => {
    const start = await supertest(h.baseUrl).get('/oauth2/login?redirect=%2Finbox%3Fa%3D1');
    expect(start.status).toBe(302);
    const cb = new URL(await signInAtProvider(start.headers.location ?? '', 'alice'));
    const done = await supertest(h.baseUrl)
      .get(cb.pathname + cb.search)
      .set('Cookie', cookieHeader(start.headers['set-cookie']));
    expect(done.status).toBe(302);
    expect(done.headers.location).toBe(`${ORIGIN}/inbox?a=1`);
    const cookie = cookieHeader(done.headers['set-cookie']);
    expect((await h.forward('/', { cookie })).status).toBe(200);
    const out = await supertest(h.baseUrl).post('/oauth2/logout').set('Cookie', cookie);
    expect(out.status).toBe(302);
  });

  it('uses a same-site Referer as the return-to URL, and ignores a foreign one', async () => {
    const referer = await supertest(h.baseUrl).get('/oauth2/login').set('Referer', 'https://app.test/from/here?x=1');
    const foreign = await supertest(h.baseUrl).get('/oauth2/login').set('Referer', 'https://evil.example/steal');
    for (const res of [referer, foreign]) expect(res.status).toBe(302);
    const back = async (res: supertest.Response) => {
      const cb = new URL(await signInAtProvider(res.headers.location ?? '', 'alice'));
      return (
        await supertest(h.baseUrl)
          .get(cb.pathname + cb.search)
          .set('Cookie', cookieHeader(res.headers['set-cookie']))
      ).headers.location;
    };
    expect(await back(referer)).toBe(`${ORIGIN}/from/here?x=1`);
    expect(await back(foreign)).toBe(`${ORIGIN}/`);
  });
});
