import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { API_CLIENT_ID, APP_A, APP_B, startEntraTenants, T1, type EntraTenants } from '../support/entra-tenants.js';
import { startBearerService, type BearerService } from '../support/bearer-service.js';
import { freePort, originFor, startCaddy, startNginx, type Proc } from './support/stack.js';
import { startUpstream, type Upstream } from './support/upstream.js';

const FRONTS = ['caddy', 'nginx', 'sidecar'] as const;
/** Every identity header, sent by the client with a forged value. */
const SPOOFED: Record<string, string> = {
  'X-Forwarded-Client-Id': APP_B,
  'X-Forwarded-Client-Name': 'spoofed name',
  'X-Forwarded-User': 'spoofed user',
  'X-Forwarded-Subject': 'spoofed subject',
};

let tenants: EntraTenants;
beforeAll(async () => {
  tenants = await startEntraTenants();
});
afterAll(async () => {
  await tenants?.close();
});

describe.each(FRONTS)('bearer tokens through %s', (front) => {
  let upstream: Upstream;
  let svc: BearerService;
  let proxy: Proc | undefined;
  let origin: string;

  beforeAll(async () => {
    upstream = await startUpstream();
    const port = await freePort();
    origin = originFor(port);
    const env: Record<string, string> = { DOMAIN: `localhost:${port}`, PUBLIC_SCHEME: 'http', LOG_LEVEL: 'info' };
    if (front === 'sidecar') Object.assign(env, { UPSTREAM_URL: upstream.url, PORT: String(port) });
    svc = await startBearerService(env, tenants);
    const auth = new URL(svc.baseUrl).host;
    if (front === 'caddy') proxy = await startCaddy(port, auth, upstream.address);
    if (front === 'nginx') proxy = await startNginx(port, auth, upstream.address);
  }, 60_000);

  afterAll(async () => {
    await proxy?.stop();
    await svc?.close();
    await upstream?.close();
  });

  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${origin}${path}`, { redirect: 'manual', headers: { accept: 'text/html', ...headers } });

  it('passes the RFC 6750 challenge of a bearer-only path and of an invalid token to the client', async () => {
    const bare = await get('/api/orders');
    expect(bare.status).toBe(401);
    expect(bare.headers.get('www-authenticate')).toBe(`Bearer realm="localhost:${new URL(origin).port}"`);
    expect(bare.headers.get('location')).toBeNull();
    const invalid = await get('/api/orders', { authorization: 'Bearer not.a.jwt' });
    expect(invalid.status).toBe(401);
    expect(invalid.headers.get('www-authenticate')).toMatch(/^Bearer realm="[^"]+", error="invalid_token"/);
    expect(invalid.headers.get('cache-control')).toBe('no-store');
    expect(await invalid.json()).toMatchObject({ error: 'invalid_token', correlationId: expect.any(String) });
    const denied = await get('/api/orders', { authorization: `Bearer ${await tenants.appToken(T1, APP_B)}` });
    expect(denied.status).toBe(403);
    expect(denied.headers.get('www-authenticate')).toMatch(/error="insufficient_scope"/);
    expect(upstream.seen.filter((r) => r.url === '/api/orders')).toEqual([]);
  });

  it.each(['Bearer', 'Bearer two tokens', 'Bearer bad,token', 'Bearer\tx'])(
    'answers a malformed Authorization header (%j) 400 invalid_request with one challenge, not 500',
    async (authorization) => {
      const before = upstream.seen.length;
      const res = await get('/api/orders', { authorization, accept: 'application/json' });
      expect(res.status).toBe(400);
      const challenge = res.headers.get('www-authenticate') ?? '';
      expect(challenge).toMatch(/^Bearer realm="[^"]+", error="invalid_request"/);
      expect(challenge.match(/Bearer /g)).toHaveLength(1);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(await res.json()).toMatchObject({ error: 'invalid_request', correlationId: expect.any(String) });
      expect(upstream.seen.slice(before)).toEqual([]);
    },
  );

  it('gives the app the calling application, never a client-sent copy of an identity header', async () => {
    const before = upstream.seen.length;
    const res = await get('/api/orders', { ...SPOOFED, authorization: `Bearer ${await tenants.appToken(T1, APP_A)}` });
    expect(res.status).toBe(200);
    const seen = upstream.seen.slice(before).find((r) => r.url === '/api/orders');
    expect(seen?.headers['x-forwarded-client-id']).toBe(APP_A);
    expect(seen?.headers['x-forwarded-client-name']).toBe('test:team:app-a');
    expect(seen?.headers['x-forwarded-user']).toBeUndefined();
    expect(seen?.headers['x-forwarded-subject']).toBeUndefined();
  });

  it('gives the app the user of a user token and no client headers, spoofed or not', async () => {
    const before = upstream.seen.length;
    const token = await tenants.userToken(T1, API_CLIENT_ID, 'alice');
    const res = await get('/api/me', { ...SPOOFED, authorization: `Bearer ${token}` });
    expect(res.status).toBe(200);
    const seen = upstream.seen.slice(before).find((r) => r.url === '/api/me');
    expect(seen?.headers['x-forwarded-user']).toBe('Alice Andersen');
    expect(seen?.headers['x-forwarded-subject']).toBe('oid-alice');
    expect(seen?.headers['x-forwarded-client-id']).toBeUndefined();
    expect(seen?.headers['x-forwarded-client-name']).toBeUndefined();
  });
});
