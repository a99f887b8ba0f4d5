import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DevIdentityProvider } from '../../dev/identity-provider.js';
import { BYPASS_PATH, freePort, loginWithFetch, originFor, startCaddy, startIdp, startNginx, startServiceFor, type Proc } from './support/stack.js';
import { startUpstream, type Upstream } from './support/upstream.js';

/** What an attacker sends, hoping the app trusts it. */
const SPOOFED = { 'X-Forwarded-User': 'Mallory', 'X-Forwarded-Email': 'mallory@evil.test' };

const PROXIES = ['caddy', 'nginx'] as const;
let idp: DevIdentityProvider;
const ports = new Map<string, number>();

beforeAll(async () => {
  for (const p of PROXIES) ports.set(p, await freePort());
  idp = await startIdp([...ports.values()].map(originFor));
});

afterAll(async () => {
  await idp?.close();
});

describe.each(PROXIES)('client-sent identity headers through the %s example', (proxy) => {
  let origin: string;
  let upstream: Upstream;
  let front: Proc;
  let stopService: () => Promise<void>;

  beforeAll(async () => {
    const port = ports.get(proxy) ?? 0;
    origin = originFor(port);
    upstream = await startUpstream();
    const svc = await startServiceFor(idp, port);
    stopService = () => svc.service.stop();
    front = proxy === 'caddy' ? await startCaddy(port, svc.address, upstream.address) : await startNginx(port, svc.address, upstream.address);
  });

  afterAll(async () => {
    await front?.stop();
    await stopService?.();
    await upstream?.close();
  });

  it('are removed on a bypass path, so the app sees no identity at all', async () => {
    const res = await fetch(origin + BYPASS_PATH, { headers: { ...SPOOFED, accept: 'application/json' } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { url: string; headers: Record<string, unknown> };
    expect(body.url).toBe(BYPASS_PATH);
    expect(body.headers['x-forwarded-user']).toBeUndefined();
    expect(body.headers['x-forwarded-email']).toBeUndefined();
  });

  it('do not get an unauthenticated request to the app: it ends in 401 at the proxy', async () => {
    const before = upstream.seen.length;
    const res = await fetch(`${origin}/api/whoami`, { headers: { ...SPOOFED, accept: 'application/json' } });
    expect(res.status).toBe(401);
    await expect(res.json()).resolves.toMatchObject({ error: 'unauthenticated' });
    expect(upstream.seen.length).toBe(before);
  });

  it('are replaced by the signed-in user’s own identity', async () => {
    const cookie = await loginWithFetch(origin, 'alice');
    const res = await fetch(`${origin}/api/whoami`, { headers: { ...SPOOFED, cookie, accept: 'application/json' } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { user: string; email: string; headers: Record<string, unknown> };
    expect(body.user).toBe('Alice Andersen');
    expect(body.email).toBe('alice@example.test');
    expect(JSON.stringify(body.headers)).not.toContain('Mallory');
  });

  it('are also refused for a signed-in user on a bypass path: the identity is not the client’s to claim', async () => {
    const cookie = await loginWithFetch(origin, 'alice');
    const res = await fetch(origin + BYPASS_PATH, { headers: { ...SPOOFED, cookie, accept: 'application/json' } });
    const body = (await res.json()) as { headers: Record<string, unknown> };
    expect(body.headers['x-forwarded-user']).toBeUndefined();
    expect(body.headers['x-forwarded-email']).toBeUndefined();
  });
});
