// UNAUTHENTICATED_BEHAVIOR=pass: requests without a session go through without identity
// headers (the app sends users to /oauth2/login itself); signed-in requests get theirs.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import supertest from 'supertest';
import { sample } from '../../observability/metrics-text.js';
import { cookieHeader, DOMAIN, signInAtProvider, startHarness, type Harness } from '../../support/harness.js';

const RULES = JSON.stringify([{ name: 'groups', anyOf: ['demo-users'] }]);
const SPOOFED = {
  'X-Forwarded-User': 'Mallory',
  'X-Forwarded-Email': 'mallory@evil.test',
  'X-Forwarded-Subject': 'mallory',
  X_Forwarded_User: 'Mallory',
};

describe.each(['cookie', 'redis'] as const)('pass-through mode through forwardAuth with the %s store', (store) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ store, env: { UNAUTHENTICATED_BEHAVIOR: 'pass', ASSERT_CLAIMS: RULES } });
  });
  afterAll(async () => {
    await h.close();
  });

  it('lets a navigation without a session through with 200 and no identity headers', async () => {
    const res = await h.forward('/landing?x=1');
    expect(res.status).toBe(200);
    expect(res.headers.location).toBeUndefined();
    for (const name of ['x-forwarded-user', 'x-forwarded-email', 'x-forwarded-subject'])
      expect(res.headers[name]).toBeUndefined();
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('lets fetch/XHR and unsafe methods without a session through too, never 401', async () => {
    expect((await h.forward('/api/items', { accept: 'application/json' })).status).toBe(200);
    expect((await h.forward('/api/items', { method: 'POST', accept: 'application/json' })).status).toBe(200);
  });

  it('treats a tampered session cookie as no session: 200 without identity headers', async () => {
    const alice = await h.login('alice', '/', '');
    const tampered = alice.replace(/(_t_s[\w-]*=)([^;]{12})/, '$1AAAAAAAAAAAA');
    expect(tampered).not.toBe(alice);
    const res = await h.forward('/', { cookie: tampered });
    expect(res.status).toBe(200);
    expect(res.headers['x-forwarded-user']).toBeUndefined();
  });

  it('gives a signed-in user their identity headers, after a login the app started with /oauth2/login', async () => {
    const start = await h.forward('/oauth2/login?redirect=%2Fx');
    expect(start.status).toBe(302);
    const txCookies = cookieHeader(start.headers['set-cookie']);
    const callback = new URL(
      await signInAtProvider(start.headers.location ?? '', 'alice', undefined, `https://${DOMAIN}`),
    );
    const done = await h.forward(callback.pathname + callback.search, { cookie: txCookies });
    expect(done.status).toBe(302);
    expect(done.headers.location).toBe(`https://${DOMAIN}/x`);
    const res = await h.forward('/x', { cookie: cookieHeader(done.headers['set-cookie']) });
    expect(res.status).toBe(200);
    expect(res.headers['x-forwarded-user']).toBe('Alice Andersen');
    expect(res.headers['x-forwarded-email']).toBe('alice@example.test');
  });

  it('still refuses a signed-in user who fails ASSERT_CLAIMS with 403, rather than passing them anonymously', async () => {
    const bob = await h.login('bob', '/', '');
    const res = await h.forward('/x', { cookie: bob });
    expect(res.status).toBe(403);
    expect(res.headers['x-forwarded-user']).toBeUndefined();
  });

  it('counts requests let through without a session as outcome "anonymous"', async () => {
    const before = sample(await metricsText(h), 'idp_checks_total', { outcome: 'anonymous' }) ?? 0;
    await h.forward('/counted');
    expect(sample(await metricsText(h), 'idp_checks_total', { outcome: 'anonymous' })).toBe(before + 1);
  });
});

async function metricsText(h: Harness): Promise<string> {
  return (await supertest(h.probeUrl).get('/metrics')).text;
}

describe('pass-through mode in sidecar mode', () => {
  let h: Harness;
  let upstream: http.Server;
  const seen: http.IncomingHttpHeaders[] = [];
  beforeAll(async () => {
    upstream = http.createServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('public landing page');
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    h = await startHarness({ store: 'cookie', env: { UNAUTHENTICATED_BEHAVIOR: 'pass', UPSTREAM_URL: upstreamUrl } });
  });
  afterAll(async () => {
    await h.close();
    upstream.closeAllConnections();
    await new Promise((resolve) => upstream.close(resolve));
  });

  it('proxies a request without a session to the app, with no identity header the client sent', async () => {
    seen.length = 0;
    const req = supertest(h.baseUrl).get('/').set('Accept', 'text/html');
    for (const [k, v] of Object.entries(SPOOFED)) req.set(k, v);
    const res = await req;
    expect(res.status).toBe(200);
    expect(res.text).toBe('public landing page');
    expect(seen).toHaveLength(1);
    const names = Object.keys(seen[0]).map((n) => n.replace(/_/g, '-'));
    expect(names.filter((n) => ['x-forwarded-user', 'x-forwarded-email', 'x-forwarded-subject'].includes(n))).toEqual(
      [],
    );
  });

  it('proxies a signed-in request with the identity headers from the session, not the spoofed ones', async () => {
    const start = await supertest(h.baseUrl).get('/oauth2/login?redirect=%2Fx');
    expect(start.status).toBe(302);
    const txCookies = cookieHeader(start.headers['set-cookie']);
    const callback = new URL(
      await signInAtProvider(start.headers.location ?? '', 'alice', undefined, `https://${DOMAIN}`),
    );
    const done = await supertest(h.baseUrl)
      .get(callback.pathname + callback.search)
      .set('Cookie', txCookies);
    expect(done.status).toBe(302);
    seen.length = 0;
    const req = supertest(h.baseUrl).get('/x').set('Cookie', cookieHeader(done.headers['set-cookie']));
    for (const [k, v] of Object.entries(SPOOFED)) req.set(k, v);
    expect((await req).status).toBe(200);
    expect(seen[0]['x-forwarded-user']).toBe('Alice Andersen');
    expect(seen[0]['x-forwarded-email']).toBe('alice@example.test');
    expect(seen[0].x_forwarded_user).toBeUndefined();
  });
});
