import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sample } from '../observability/metrics-text.js';
import { cookieHeader, signInAtProvider, startHarness, type Harness } from '../support/harness.js';

/** Starts a login and signs in at the provider; returns the callback URI and the browser's cookies. */
async function pendingCallback(h: Harness, user = 'alice'): Promise<{ uri: string; cookie: string }> {
  const start = await h.forward('/protected');
  const cb = new URL(await signInAtProvider(start.headers.location ?? '', user));
  return { uri: cb.pathname + cb.search, cookie: cookieHeader(start.headers['set-cookie']) };
}

describe.each(['cookie', 'redis'] as const)('callback failures with the %s store', (store) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ store });
  });
  afterAll(async () => {
    await h.close();
  });

  it('shows a clear 401 page with a correlation id and a retry link for a provider error', async () => {
    const start = await h.forward('/');
    const state = new URL(start.headers.location ?? '').searchParams.get('state') ?? '';
    const res = await h.forward(
      `/oauth2/callback?error=access_denied&error_description=denied&state=${state}&iss=${encodeURIComponent(h.idp.issuer)}`,
      { cookie: cookieHeader(start.headers['set-cookie']) },
    );
    expect(res.status).toBe(401);
    expect(res.text).toMatch(/access_denied/);
    expect(res.text).toMatch(/Reference: <code>[\w-]+<\/code>/);
    expect(res.text).toContain('https://app.test/oauth2/login');
    expect(res.text).not.toMatch(/at \w+ \(|node_modules/);
  });

  it('answers 400 when this browser did not start the login (no transaction cookie)', async () => {
    const { uri } = await pendingCallback(h);
    const res = await h.forward(uri, { accept: 'application/json' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'login_expired' });
    expect(res.body.correlationId).toEqual(expect.any(String));
  });

  it('answers 400 when the state belongs to another login', async () => {
    const first = await pendingCallback(h);
    const other = await h.forward('/');
    const res = await h.forward(first.uri, {
      cookie: cookieHeader(other.headers['set-cookie']),
    });
    expect(res.status).toBe(400);
  });

  it('answers 400 for a callback without state or with a tampered transaction cookie', async () => {
    expect((await h.forward('/oauth2/callback?code=abc')).status).toBe(400);
    const { uri, cookie } = await pendingCallback(h);
    const tampered = cookie.replace(/=(.{10})/, '=AAAAAAAAAA');
    expect((await h.forward(uri, { cookie: tampered })).status).toBe(400);
  });

  it('answers 400 for a replayed code, even with the original cookies', async () => {
    const { uri, cookie } = await pendingCallback(h);
    expect((await h.forward(uri, { cookie })).status).toBe(302);
    const replay = await h.forward(uri, { cookie, accept: 'application/json' });
    expect(replay.status).toBe(400);
    expect(replay.body.error).toBe('code_rejected');
  });

  it('answers 400 when the code was issued for another login (nonce and PKCE do not match)', async () => {
    const a = await pendingCallback(h);
    const b = await h.forward('/');
    const stateB = new URL(b.headers.location ?? '').searchParams.get('state') ?? '';
    const swapped = a.uri.replace(/state=[^&]+/, `state=${stateB}`);
    const res = await h.forward(swapped, { cookie: cookieHeader(b.headers['set-cookie']) });
    expect(res.status).toBe(400);
  });

  it('refuses an id_token signed with a key the provider does not publish: error page, no session', async () => {
    h.idp.signingKey = 'foreign';
    try {
      const { uri, cookie } = await pendingCallback(h);
      const res = await h.forward(uri, { cookie });
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.text).toContain('Sign-in could not be verified');
      const correlationId = /Reference: <code>([\w.-]+)<\/code>/.exec(res.text)?.[1];
      expect(correlationId).toEqual(expect.any(String));
      const setCookies: string[] = [res.headers['set-cookie'] ?? []].flat();
      expect(setCookies.filter((c) => c.startsWith('_t_session') && !/max-age=0/i.test(c))).toEqual([]);
      const after = cookieHeader(setCookies, cookie);
      expect((await h.forward('/protected', { cookie: after, accept: 'application/json' })).status).toBe(401);
      const line = h.logs.find((l) => l.includes(correlationId ?? '-') && l.includes('request failed')) ?? '';
      expect(line).toMatch(/TOKEN_INVALID/);
      expect(line).toMatch(/signature/i);
    } finally {
      h.idp.signingKey = 'published';
    }
    expect(await h.login()).toMatch(/_t_session/);
  });

  it('counts failed logins by reason', async () => {
    const failed = async (reason: string) =>
      sample(await h.service.metrics.registry.metrics(), 'idp_logins_total', { stage: 'failed', reason });
    const [expired, mismatch] = [await failed('LOGIN_EXPIRED'), await failed('LOGIN_STATE_MISMATCH')];
    const { uri } = await pendingCallback(h);
    expect((await h.forward(uri)).status).toBe(400); // no transaction cookie
    expect((await h.forward('/oauth2/callback?code=abc')).status).toBe(400); // no state
    expect(await failed('LOGIN_EXPIRED')).toBe(expired + 1);
    expect(await failed('LOGIN_STATE_MISMATCH')).toBe(mismatch + 1);
  });
});

describe('callback when the provider is unreachable', () => {
  it('answers 503, not 500, and keeps running', async () => {
    const h = await startHarness();
    try {
      const { uri, cookie } = await pendingCallback(h);
      await h.idp.close();
      const res = await h.forward(uri, { cookie, accept: 'application/json' });
      expect(res.status).toBe(503);
      expect(res.body.error).toBe('provider_unavailable');
      expect((await h.forward('/x', { accept: 'application/json' })).status).toBe(401);
    } finally {
      await h.service.stop();
    }
  });
});
