import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cookieHeader, DOMAIN, ORIGIN, signInAtProvider, startHarness, type Harness } from '../support/harness.js';
import { asCookies, seedSession } from '../support/seed-session.js';

const RULES = JSON.stringify([
  { name: 'groups', anyOf: ['demo-users', 'admins'] },
  { name: 'roles', allOf: ['reader'] },
]);

// The forwardAuth contract, run once per session store.
describe.each(['cookie', 'redis'] as const)('forwardAuth with the %s store', (store) => {
  let h: Harness;
  let alice: string;
  beforeAll(async () => {
    h = await startHarness({ store, env: { ASSERT_CLAIMS: RULES, BYPASS_PATHS: '/api/health,/metrics' } });
    alice = await h.login('alice', '/start');
  });
  afterAll(async () => {
    await h.close();
  });

  it('answers 200 with the identity headers for a valid session', async () => {
    const res = await h.forward('/reports?year=2026', { cookie: alice });
    expect(res.status).toBe(200);
    expect(res.headers['x-forwarded-user']).toBe('Alice Andersen');
    expect(res.headers['x-forwarded-email']).toBe('alice@example.test');
    expect(res.text).toBe('');
  });

  it('passes non-ASCII names as percent-encoded UTF-8, and no email the provider does not vouch for', async () => {
    const res = await h.forward('/', { cookie: await h.login('lilei') });
    expect(res.status).toBe(200);
    expect(decodeURIComponent(res.headers['x-forwarded-user'] ?? '')).toBe('李雷');
    expect(res.headers['x-forwarded-subject']).toBe('lilei');
    // lilei has no email claim; the development provider is not Entra, so preferred_username is no address.
    expect(res.headers['x-forwarded-email']).toBeUndefined();
    const soren = await h.forward('/', { cookie: await h.login('soren') });
    expect(decodeURIComponent(soren.headers['x-forwarded-user'] ?? '')).toBe('Søren Ødegård');
  });

  it('redirects a browser navigation without a session to the provider with PKCE, state and nonce', async () => {
    const res = await h.forward('/deep/page?x=1');
    expect(res.status).toBe(302);
    const location = new URL(res.headers.location ?? '');
    expect(location.origin + location.pathname).toBe(`${h.idp.issuer}/auth`);
    const q = location.searchParams;
    expect(q.get('response_type')).toBe('code');
    expect(q.get('client_id')).toBe('test-app');
    expect(q.get('redirect_uri')).toBe(`https://${DOMAIN}/oauth2/callback`);
    expect(q.get('scope')).toBe('openid profile email');
    expect(q.get('state')).toMatch(/^[\w-]{20,}$/);
    expect(q.get('nonce')).toMatch(/^[\w-]{20,}$/);
    expect(q.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(q.get('code_challenge_method')).toBe('S256');
    const tx = (res.headers['set-cookie'] as unknown as string[]).join();
    expect(tx).toMatch(/_t_tx_[\w-]+=.+HttpOnly/);
    expect(tx).toMatch(/Max-Age=600/);
  });

  it('treats Sec-Fetch-Mode: navigate as a navigation even without text/html', async () => {
    expect((await h.forward('/', { accept: '*/*', headers: { 'Sec-Fetch-Mode': 'navigate' } })).status).toBe(302);
  });

  it.each([
    ['fetch with a JSON Accept', { accept: 'application/json' }],
    ['XMLHttpRequest', { headers: { 'X-Requested-With': 'XMLHttpRequest' } }],
    ['Sec-Fetch-Mode: cors', { headers: { 'Sec-Fetch-Mode': 'cors' } }],
    ['an original POST', { method: 'POST' }],
  ])('answers 401, never a redirect, for %s', async (_name, options) => {
    const res = await h.forward('/api/data', options);
    expect(res.status).toBe(401);
    expect(res.headers.location).toBeUndefined();
  });

  it('tells a fetch client where to log in, in a small JSON body', async () => {
    const res = await h.forward('/api/data', { accept: 'application/json' });
    expect(res.type).toBe('application/json');
    expect(res.body).toMatchObject({
      error: 'unauthenticated',
      loginUrl: `${ORIGIN}/oauth2/login?redirect=%2Fapi%2Fdata`,
    });
  });

  it('returns to the original path and query after login', async () => {
    const start = await h.forward('/reports/q1?tab=summary&x=%C3%A6');
    const cb = new URL(await signInAtProvider(start.headers.location ?? '', 'alice'));
    const done = await h.forward(cb.pathname + cb.search, {
      cookie: cookieHeader(start.headers['set-cookie']),
    });
    expect(done.status).toBe(302);
    expect(done.headers.location).toBe(`${ORIGIN}/reports/q1?tab=summary&x=%C3%A6`);
  });

  it('lets several tabs log in at once', async () => {
    const starts = await Promise.all(['/tab1', '/tab2', '/tab3'].map((p) => h.forward(p)));
    const jar = cookieHeader(starts.flatMap((s) => s.headers['set-cookie'] as unknown as string[]));
    const callbacks = await Promise.all(starts.map((s) => signInAtProvider(s.headers.location ?? '', 'alice')));
    for (const [i, cb] of callbacks.reverse().entries()) {
      const url = new URL(cb);
      const done = await h.forward(url.pathname + url.search, { cookie: jar });
      expect(done.status).toBe(302);
      expect(done.headers.location).toBe(`${ORIGIN}/tab${3 - i}`);
    }
  });

  it('replaces a session planted before login, and ends it when the store keeps sessions (no session fixation)', async () => {
    const planted = await seedSession(h.service.sessions, {
      sub: 'mallory',
      claims: { sub: 'mallory', name: 'Mallory', groups: ['demo-users'], roles: ['reader'] },
    });
    expect((await h.forward('/', { cookie: planted.cookie })).headers['x-forwarded-user']).toBe('Mallory');
    const after = await h.login('alice', '/', planted.cookie);
    expect(asCookies(after)._t_session).not.toBe(asCookies(planted.cookie)._t_session);
    expect((await h.forward('/', { cookie: after })).headers['x-forwarded-user']).toBe('Alice Andersen');
    // A server store forgets the old id; a cookie session lives only in the browser, whose cookies were replaced.
    if (store !== 'cookie')
      expect((await h.forward('/', { cookie: planted.cookie, accept: 'application/json' })).status).toBe(401);
  });

  it('answers 403 with a page offering logout when assertClaims fail', async () => {
    const bob = await h.login('bob');
    const res = await h.forward('/', { cookie: bob });
    expect(res.status).toBe(403);
    expect(res.text).toMatch(/don’t have access/);
    expect(res.text).toContain(`${ORIGIN}/oauth2/logout`);
    expect(res.headers['x-forwarded-user']).toBeUndefined();
    const json = await h.forward('/', { cookie: bob, accept: 'application/json' });
    expect(json.body).toMatchObject({ error: 'forbidden', logoutUrl: `${ORIGIN}/oauth2/logout` });
  });

  it('lets bypass paths through with no identity headers, ignoring the query', async () => {
    for (const uri of ['/api/health', '/metrics?x=1']) {
      const res = await h.forward(uri, { cookie: alice });
      expect(res.status).toBe(200);
      expect(res.headers['x-forwarded-user']).toBeUndefined();
    }
    expect((await h.forward('/api/health/', { accept: 'application/json' })).status).toBe(401);
  });
});

describe('the 403 page', () => {
  it('names a non-ASCII user as written, not percent-encoded', async () => {
    const h = await startHarness({ env: { ASSERT_CLAIMS: JSON.stringify([{ name: 'groups', anyOf: ['nobody'] }]) } });
    try {
      const res = await h.forward('/', { cookie: await h.login('soren') });
      expect(res.status).toBe(403);
      expect(res.text).toContain('Søren Ødegård');
    } finally {
      await h.close();
    }
  });
});
