import { afterEach, describe, expect, it } from '@jest/globals';
import supertest from 'supertest';
import { fakeClock, type FakeClock } from '../../support/fake-clock.js';
import { startHarness, type Harness } from '../../support/harness.js';
import { asCookies } from '../../support/seed-session.js';
import { startRefreshProvider, type RefreshProvider } from '../../support/refresh-provider.js';

let op: RefreshProvider | undefined;
let h: Harness | undefined;
let clock: FakeClock | undefined;

afterEach(async () => {
  clock?.restore();
  clock = undefined;
  await h?.close();
  await op?.idp.close();
  h = op = undefined;
});

async function setUp(env: Record<string, string> = {}) {
  op = await startRefreshProvider({ accessTokenTtl: 600 });
  h = await startHarness({ store: 'redis', idp: op.idp, env: { AUTHORIZATION_HEADER: 'Authorization', ...env } });
  return { h, op };
}

const direct = (h: Harness) => supertest(h.baseUrl);

describe('GET /oauth2/session', () => {
  it('answers 401 JSON without a session, never a redirect, also to a navigation through forwardAuth', async () => {
    const { h } = await setUp();
    const plain = await direct(h).get('/oauth2/session').set('Accept', 'text/html');
    expect(plain.status).toBe(401);
    expect(plain.headers['content-type']).toMatch(/application\/json/);
    expect(plain.headers['cache-control']).toBe('no-store');
    expect(plain.body.error).toBe('unauthenticated');
    const forwarded = await h.forward('/oauth2/session', { accept: 'text/html' });
    expect(forwarded.status).toBe(401);
    expect(forwarded.headers.location).toBeUndefined();
    expect(forwarded.headers['content-type']).toMatch(/application\/json/);
  });

  it('describes the session and the access token expiry, never a token', async () => {
    const { h } = await setUp();
    const cookie = await h.login();
    const stored = (await h.service.sessions.get(asCookies(cookie)))?.session;
    const res = await direct(h).get('/oauth2/session').set('Cookie', cookie);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body.session.created_at).toBe(new Date((stored?.createdAt ?? 0) * 1000).toISOString());
    expect(res.body.session.ends_at).toBe(new Date((stored?.expiresAt ?? 0) * 1000).toISOString());
    expect(typeof res.body.session.timeout_at).toBe('string');
    expect(res.body.tokens.expire_at).toBe(new Date((stored?.accessTokenExpiresAt ?? 0) * 1000).toISOString());
    for (const token of [stored?.accessToken, stored?.refreshToken, stored?.idToken])
      expect(res.text).not.toContain(String(token));
  });

  it('through forwardAuth answers the JSON as 421, which the proxy shows instead of passing the request on', async () => {
    const { h } = await setUp();
    const cookie = await h.login();
    const res = await h.forward('/oauth2/session', { cookie, accept: 'application/json' });
    expect(res.status).toBe(421);
    expect(res.headers.location).toBeUndefined();
    expect(res.body.session.active).toBe(true);
    expect(res.headers.authorization).toBeUndefined();
  });

  it('is served by the service itself in sidecar mode', async () => {
    const { h } = await setUp({ UPSTREAM_URL: 'http://127.0.0.1:9' });
    const res = await direct(h).get('/oauth2/session');
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('unauthenticated');
  });
});

describe('POST /oauth2/session/refresh', () => {
  it('refreshes now, at most once per cooldown, and answers with the new expiry', async () => {
    const { h, op } = await setUp();
    const cookie = await h.login();
    const soon = await direct(h).post('/oauth2/session/refresh').set('Cookie', cookie);
    expect(soon.status).toBe(200);
    expect(soon.body.tokens.refresh_cooldown).toBe(true);
    expect(op.refreshes()).toBe(0);
    clock = fakeClock();
    clock.advance(11);
    const first = await direct(h).post('/oauth2/session/refresh').set('Cookie', cookie);
    expect(first.status).toBe(200);
    expect(op.refreshes()).toBe(1);
    expect(first.body.tokens.expire_in_seconds).toBe(600);
    expect(first.headers['cache-control']).toBe('no-store');
    const again = await direct(h).post('/oauth2/session/refresh').set('Cookie', cookie);
    expect(again.status).toBe(200);
    expect(op.refreshes()).toBe(1);
  });

  it('refreshes through forwardAuth (X-Forwarded-Method: POST) without redirecting', async () => {
    const { h, op } = await setUp();
    const cookie = await h.login();
    clock = fakeClock();
    clock.advance(11);
    const res = await h.forward('/oauth2/session/refresh', { cookie, method: 'POST', accept: 'text/html' });
    expect(res.status).toBe(421);
    expect(res.headers.location).toBeUndefined();
    expect(op.refreshes()).toBe(1);
  });

  it('answers 401 JSON without a session, and 405 to other methods through forwardAuth', async () => {
    const { h } = await setUp();
    expect((await direct(h).post('/oauth2/session/refresh')).status).toBe(401);
    const get = await h.forward('/oauth2/session/refresh', { method: 'GET' });
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
  });
});
