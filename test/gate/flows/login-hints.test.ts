// /oauth2/login passes prompt (allow-listed), login_hint and domain_hint (bounded) on to
// the provider; the 403 page offers "Sign in with another account" (prompt=select_account).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import supertest from 'supertest';
import { cookieHeader, DOMAIN, signInAtProvider, startHarness, type Harness } from '../../support/harness.js';

const RULES = JSON.stringify([{ name: 'groups', anyOf: ['demo-users'] }]);

describe('login parameters passed to the provider', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ store: 'cookie', env: { ASSERT_CLAIMS: RULES } });
  });
  afterAll(async () => {
    await h.close();
  });

  /** The provider's authorization URL query for a login started with `query`. */
  async function authorizeQuery(query: string, via: 'forward' | 'direct' = 'forward'): Promise<URLSearchParams> {
    const res =
      via === 'forward'
        ? await h.forward(`/oauth2/login?${query}`)
        : await supertest(h.baseUrl).get(`/oauth2/login?${query}`).set('Accept', 'text/html');
    expect(res.status).toBe(302);
    const location = new URL(res.headers.location ?? '');
    expect(location.origin).toBe(new URL(h.idp.issuer).origin);
    return location.searchParams;
  }

  it.each(['login', 'select_account', 'consent'])('passes prompt=%s on', async (prompt) => {
    expect((await authorizeQuery(`prompt=${prompt}`)).get('prompt')).toBe(prompt);
  });

  it.each(['none', 'create', 'login select_account', 'LOGIN', ''])('drops prompt=%j', async (prompt) => {
    const q = await authorizeQuery(`prompt=${encodeURIComponent(prompt)}&redirect=%2Fx`);
    expect(q.has('prompt')).toBe(false);
    expect(q.get('state')).toMatch(/^[\w-]{20,}$/);
  });

  it('passes login_hint and domain_hint on, encoded, directly and through forwardAuth', async () => {
    for (const via of ['forward', 'direct'] as const) {
      const q = await authorizeQuery('login_hint=alice%2Bx%40example.test&domain_hint=contoso.com&redirect=%2Fx', via);
      expect(q.get('login_hint')).toBe('alice+x@example.test');
      expect(q.get('domain_hint')).toBe('contoso.com');
    }
  });

  it('drops a hint longer than 256 characters or with control characters, and keeps the others', async () => {
    const q = await authorizeQuery(`login_hint=${'a'.repeat(257)}&domain_hint=${'d'.repeat(256)}`);
    expect(q.has('login_hint')).toBe(false);
    expect(q.get('domain_hint')).toBe('d'.repeat(256));
    const r = await authorizeQuery('login_hint=alice%0d%0aSet-Cookie:x&prompt=login');
    expect(r.has('login_hint')).toBe(false);
    expect(r.get('prompt')).toBe('login');
  });

  it('never lets a login parameter override the protocol parameters', async () => {
    const q = await authorizeQuery('state=evil&nonce=evil&redirect_uri=https%3A%2F%2Fevil.test&client_id=evil&scope=x');
    expect(q.getAll('state')).toHaveLength(1);
    expect(q.get('state')).not.toBe('evil');
    expect(q.get('nonce')).not.toBe('evil');
    expect(q.get('redirect_uri')).toBe(`https://${DOMAIN}/oauth2/callback`);
    expect(q.get('client_id')).toBe('test-app');
    expect(q.get('scope')).toBe('openid profile email');
  });

  it('completes a login started with prompt=login and login_hint at the real provider', async () => {
    const start = await h.forward('/oauth2/login?prompt=login&login_hint=alice');
    const callback = new URL(
      await signInAtProvider(start.headers.location ?? '', 'alice', undefined, `https://${DOMAIN}`),
    );
    const done = await h.forward(callback.pathname + callback.search, {
      cookie: cookieHeader(start.headers['set-cookie']),
    });
    expect(done.status).toBe(302);
  });

  it('offers "Sign in with another account" on the 403 page, back to the refused page', async () => {
    const bob = await h.login('bob', '/', '');
    const res = await h.forward('/reports?year=2026&a=<b>', { cookie: bob });
    expect(res.status).toBe(403);
    expect(res.text).toContain('Sign in with another account');
    const href = /href="([^"]*prompt=select_account[^"]*)"/.exec(res.text)?.[1];
    expect(href).toBeDefined();
    const url = new URL(href!.replace(/&#38;/g, '&'));
    expect(url.origin + url.pathname).toBe(`https://${DOMAIN}/oauth2/login`);
    expect(url.searchParams.get('prompt')).toBe('select_account');
    expect(url.searchParams.get('redirect')).toBe('/reports?year=2026&a=%3Cb%3E');
    expect(res.text).not.toContain('<b>');
    const json = await h.forward('/reports', { cookie: bob, accept: 'application/json' });
    expect(json.body.switchAccountUrl).toBe(`https://${DOMAIN}/oauth2/login?prompt=select_account&redirect=%2Freports`);
  });

  it('replaces the old session when the user signs in with another account from the 403 page', async () => {
    const bob = await h.login('bob', '/', '');
    const start = await h.forward('/oauth2/login?prompt=select_account&redirect=%2Freports', { cookie: bob });
    expect(new URL(start.headers.location ?? '').searchParams.get('prompt')).toBe('select_account');
    const tx = cookieHeader(start.headers['set-cookie'], bob);
    const callback = new URL(
      await signInAtProvider(start.headers.location ?? '', 'alice', undefined, `https://${DOMAIN}`),
    );
    const done = await h.forward(callback.pathname + callback.search, { cookie: tx });
    expect(done.text).toBe('');
    expect(done.headers.location).toBe(`https://${DOMAIN}/reports`);
    const res = await h.forward('/reports', {
      cookie: cookieHeader(done.headers['set-cookie'], tx),
    });
    expect(res.status).toBe(200);
    expect(res.headers['x-forwarded-user']).toBe('Alice Andersen');
  });
});
