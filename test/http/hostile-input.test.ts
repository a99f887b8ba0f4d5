import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import supertest from 'supertest';
import { startHarness, type Harness } from '../support/harness.js';

describe.each(['cookie', 'redis'] as const)('hostile input on /oauth2/auth with the %s store', (store) => {
  let h: Harness;
  let alice: string;
  beforeAll(async () => {
    h = await startHarness({ store, env: { BYPASS_PATHS: '/api/health,/metrics' } });
    alice = await h.login('alice');
  });
  afterAll(async () => {
    await h.close();
  });

  it.each([
    ['garbage', '_t_session=%%%garbage'],
    ['truncated', () => alice.slice(0, alice.length - 30)],
    [
      'tampered',
      () =>
        alice.replace(/_t_session=(.{40})(.)/, (_m, a: string, b: string) => `_t_session=${a}${b === 'A' ? 'B' : 'A'}`),
    ],
    ['a JWT-looking foreign value', '_t_session=eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.'],
    ['an empty value', '_t_session='],
    ['many unrelated cookies', Array.from({ length: 200 }, (_, i) => `c${i}=v${i}`).join('; ')],
  ])('counts a %s session cookie as no session (401 for fetch)', async (_name, cookie) => {
    const value = typeof cookie === 'function' ? cookie() : cookie;
    const res = await h.forward('/', { cookie: value, accept: 'application/json' });
    expect(res.status).toBe(401);
  });

  it('never echoes identity headers the client sent', async () => {
    const spoof = { 'X-Forwarded-User': 'admin', 'X-Forwarded-Email': 'admin@evil.example' };
    const bypass = await h.forward('/api/health', { headers: spoof });
    expect(bypass.status).toBe(200);
    expect(bypass.headers['x-forwarded-user']).toBeUndefined();
    const anon = await h.forward('/', { headers: spoof, accept: 'application/json' });
    expect(anon.status).toBe(401);
    expect(anon.headers['x-forwarded-user']).toBeUndefined();
    const authed = await h.forward('/', { headers: spoof, cookie: alice });
    expect(authed.headers['x-forwarded-user']).toBe('Alice Andersen');
  });

  it.each([
    ['X-Forwarded-Host', 'x-forwarded-host'],
    ['X-Forwarded-Uri', 'x-forwarded-uri'],
  ])('answers 400 naming %s when it is missing', async (name) => {
    const req = supertest(h.baseUrl).get('/oauth2/auth').set('Accept', 'application/json');
    if (name !== 'X-Forwarded-Host') req.set('X-Forwarded-Host', 'app.test');
    if (name !== 'X-Forwarded-Uri') req.set('X-Forwarded-Uri', '/');
    const res = await req;
    expect(res.status).toBe(400);
    expect(res.body.message).toContain(name);
  });

  it('answers 400 for an X-Forwarded-Uri that is not a path, or a bogus method', async () => {
    expect((await h.forward('https://evil.example/')).status).toBe(400);
    expect((await h.forward('/', { method: 'G E T' })).status).toBe(400);
  });

  it('refuses oversized headers with 431 and keeps serving', async () => {
    const res = await fetch(`${h.baseUrl}/oauth2/auth`, {
      headers: { 'X-Forwarded-Host': 'app.test', 'X-Forwarded-Uri': `/${'a'.repeat(100_000)}` },
    }).catch((e: unknown) => e as Error);
    if (res instanceof Error) throw res;
    expect(res.status).toBe(431);
    expect((await h.forward('/', { cookie: alice })).status).toBe(200);
  });

  it('keeps the session when a redirect parameter is hostile', async () => {
    const res = await h.forward('/oauth2/login?redirect=%2F%2Fevil.example', { cookie: alice });
    expect(res.status).toBe(302);
    expect((await h.forward('/', { cookie: alice })).status).toBe(200);
  });

  it('never lets a raw # end the path: /metrics#/../admin is checked, not bypassed', async () => {
    expect((await h.forward('/metrics')).status).toBe(200);
    expect((await h.forward('/metrics#/../admin', { accept: 'application/json' })).status).toBe(401);
    expect((await h.forward('/metrics#/../admin')).status).toBe(302);
  });

  it('answers 404, not 500, for unknown service paths', async () => {
    const res = await supertest(h.baseUrl).get('/nope').set('Accept', 'application/json');
    expect(res.status).toBe(404);
  });
});
