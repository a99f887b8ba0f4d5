import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import type { DevIdentityProvider } from '../../dev/identity-provider.js';
import { cookieHeader, signInAtProvider } from '../support/harness.js';
import { launchBrowser, screenshot, signIn } from './support/browser.js';
import { BYPASS_PATH, freePort, originFor, startIdp, startServiceFor } from './support/stack.js';
import { startUpstream, type Upstream } from './support/upstream.js';

const SPOOFED = { 'X-Forwarded-User': 'Mallory', 'X-Forwarded-Email': 'mallory@evil.test' };

/** The status line of a WebSocket upgrade request sent without a browser. */
function upgradeStatus(url: string, cookie?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': randomBytes(16).toString('base64'),
        ...(cookie ? { cookie } : {}),
      },
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('sidecar mode: the service proxies to the app itself (UPSTREAM_URL)', () => {
  let browser: Browser;
  let idp: DevIdentityProvider;
  let upstream: Upstream;
  let stopService: () => Promise<void>;
  let probeUrl: string;
  let serviceStopped = false;
  let origin: string;
  let page: Page;
  let cookie: string;

  beforeAll(async () => {
    const port = await freePort();
    origin = originFor(port);
    [browser, idp, upstream] = await Promise.all([launchBrowser(), startIdp([origin]), startUpstream()]);
    const svc = await startServiceFor(idp, port, {
      UPSTREAM_URL: upstream.url,
      PORT: String(port),
      SHUTDOWN_TIMEOUT: '1',
    });
    stopService = () => svc.service.stop();
    probeUrl = `http://127.0.0.1:${(svc.service.probeServer.address() as AddressInfo).port}`;
    const context = await browser.newContext({ viewport: { width: 1000, height: 760 } });
    await context.addCookies([{ name: 'theme', value: 'dark', url: origin }]);
    page = await context.newPage();
    await page.goto(`${origin}/account?tab=security`);
    await signIn(page, 'alice');
    await page.waitForURL((url) => url.origin === origin);
    cookie = (await context.cookies(origin)).map((c) => `${c.name}=${c.value}`).join('; ');
  });

  afterAll(async () => {
    await browser?.close();
    if (!serviceStopped) await stopService?.();
    await upstream?.close();
    await idp?.close();
  });

  it('signs alice in with Chromium and shows the page she asked for, with her identity headers', async () => {
    expect(page.url()).toBe(`${origin}/account?tab=security`);
    await expect(page.getByTestId('user').textContent()).resolves.toBe('Alice Andersen');
    await expect(page.getByTestId('email').textContent()).resolves.toBe('alice@example.test');
    await screenshot(page, 'sidecar-app-page');
  });

  it('keeps the service’s session cookies from the app, and passes the app’s own cookies', async () => {
    expect(cookie).toMatch(/_idp_session=/);
    await page.reload();
    const last = upstream.seen.at(-1);
    expect(last?.url).toBe('/account?tab=security');
    expect(last?.headers.cookie).toBe('theme=dark');
  });

  it('replaces client-sent identity headers for a signed-in user and drops them on a bypass path', async () => {
    const signedIn = await fetch(`${origin}/api/whoami`, { headers: { ...SPOOFED, cookie } });
    await expect(signedIn.json()).resolves.toMatchObject({ user: 'Alice Andersen', email: 'alice@example.test' });
    const bypass = await fetch(origin + BYPASS_PATH, { headers: { ...SPOOFED, accept: 'application/json' } });
    const body = (await bypass.json()) as { user?: string; email?: string };
    expect([body.user, body.email]).toEqual([undefined, undefined]);
  });

  it('drops underscore spellings of identity headers, which CGI-style apps read as the same header', async () => {
    const underscored = { X_Forwarded_User: 'Mallory', X_Forwarded_Email: 'mallory@evil.test' };
    for (const headers of [{ ...underscored, cookie }, underscored]) {
      await fetch(origin + BYPASS_PATH, { headers });
      const seen = upstream.seen.at(-1)?.headers ?? {};
      expect(seen.x_forwarded_user).toBeUndefined();
      expect(seen.x_forwarded_email).toBeUndefined();
    }
  });

  it('never answers the client with identity headers on service paths spelt in other case or with a slash', async () => {
    for (const path of ['/OAUTH2/LOGIN', '/oauth2/login/', '/OAuth2/Signed-Out', '/oauth2/callback/']) {
      const res = await fetch(origin + path, { headers: { cookie }, redirect: 'manual' });
      expect(res.headers.get('x-forwarded-user')).toBeNull();
      expect(res.headers.get('x-forwarded-email')).toBeNull();
      await res.arrayBuffer();
    }
  });

  it('survives a client that resets its connection during a WebSocket upgrade', async () => {
    const net = await import('node:net');
    const { port } = new URL(origin);
    for (let i = 0; i < 3; i++) {
      const socket = net.connect(Number(port), '127.0.0.1');
      await new Promise((r) => socket.once('connect', r));
      socket.write(
        'GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      );
      socket.resetAndDestroy();
    }
    await new Promise((r) => setTimeout(r, 300));
    expect((await fetch(`${origin}/oauth2/healthz`)).status).toBe(200);
  });

  it('answers an unauthenticated fetch with a JSON 401 and never calls the app', async () => {
    const before = upstream.seen.length;
    const res = await fetch(`${origin}/api/whoami`, { headers: SPOOFED });
    expect(res.status).toBe(401);
    await expect(res.json()).resolves.toMatchObject({ error: 'unauthenticated' });
    expect(upstream.seen.length).toBe(before);
  });

  it('streams a response chunk by chunk instead of buffering it', async () => {
    const started = Date.now();
    const res = await fetch(`${origin}/stream`, { headers: { cookie } });
    expect(res.status).toBe(200);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    const firstAt = Date.now() - started;
    let text = Buffer.from(first.value ?? []).toString();
    for (let r = await reader.read(); !r.done; r = await reader.read()) text += Buffer.from(r.value).toString();
    const doneAt = Date.now() - started;
    expect(text).toBe('chunk 0\nchunk 1\nchunk 2\nchunk 3\nchunk 4\n');
    expect(doneAt - firstAt).toBeGreaterThanOrEqual(250); // the first chunk arrived well before the last was sent
  });

  it('passes a 20 MB upload through to the app unchanged', async () => {
    const body = randomBytes(20 * 1024 * 1024);
    const res = await fetch(`${origin}/upload`, {
      method: 'POST',
      body,
      headers: { cookie, 'content-type': 'application/octet-stream' },
    });
    expect(res.status).toBe(200);
    await expect(res.json()).resolves.toEqual({
      bytes: body.length,
      sha256: createHash('sha256').update(body).digest('hex'),
      user: 'Alice Andersen',
    });
  });

  it('upgrades a WebSocket for the signed-in browser, with her identity on the upgrade request', async () => {
    const greeting = await page.evaluate(
      () =>
        new Promise<string>((resolve, reject) => {
          const ws = new WebSocket(`${location.origin.replace('http', 'ws')}/ws`);
          ws.onmessage = (e) => {
            resolve(String(e.data));
            ws.close();
          };
          ws.onerror = () => reject(new Error('websocket failed'));
        }),
    );
    expect(greeting).toBe('hello Alice Andersen');
    expect(upstream.seen.at(-1)?.headers.cookie).toBe('theme=dark');
  });

  it('refuses a WebSocket upgrade without a session with 401, before the app sees it', async () => {
    const before = upstream.seen.length;
    await expect(upgradeStatus(`${origin}/ws`)).resolves.toBe(401);
    await expect(upgradeStatus(`${origin}/ws`, cookie)).resolves.toBe(101);
    expect(upstream.seen.length).toBe(before + 1);
  });

  it('tells the app the public host and scheme, whatever the client sent, and appends the client to X-Forwarded-For', async () => {
    const res = await fetch(origin + BYPASS_PATH, {
      headers: {
        'X-Forwarded-Host': 'evil.example',
        'X-Forwarded-Proto': 'https',
        'X-Forwarded-Port': '8443',
        Forwarded: 'host=evil.example',
        'X-Forwarded-For': '203.0.113.9',
      },
    });
    await res.arrayBuffer();
    const seen = upstream.seen.at(-1)?.headers ?? {};
    expect(seen['x-forwarded-host']).toBe(new URL(origin).host);
    expect(seen['x-forwarded-proto']).toBe('http');
    expect(seen['x-forwarded-port']).toBe(new URL(origin).port);
    expect(seen.forwarded).toBeUndefined();
    expect(seen['x-forwarded-for']).toBe('203.0.113.9, 127.0.0.1');
  });

  it('leaves the app’s answers alone: no security headers of its own on proxied responses', async () => {
    const res = await fetch(`${origin}/api/whoami`, { headers: { cookie } });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    for (const name of [
      'strict-transport-security',
      'cross-origin-opener-policy',
      'cross-origin-resource-policy',
      'x-frame-options',
      'origin-agent-cluster',
    ]) {
      expect([name, res.headers.get(name)]).toEqual([name, null]);
    }
    const own = await fetch(`${origin}/api/whoami`, { headers: { accept: 'application/json' } });
    expect(own.status).toBe(401);
    expect(own.headers.get('x-content-type-options')).toBe('nosniff');
    expect(own.headers.get('strict-transport-security')).toBeNull(); // plain http: never HSTS
  });

  it('never serves /oauth2/metrics, /oauth2/readyz or /metrics on the app’s domain; the probe listener does', async () => {
    for (const path of ['/oauth2/metrics', '/oauth2/readyz', '/metrics']) {
      const res = await fetch(origin + path, { headers: { cookie } });
      expect(await res.text()).not.toContain('idp_checks_total');
      expect(upstream.seen.at(-1)?.url).toBe(path); // the app's own path now
    }
    expect(await (await fetch(`${probeUrl}/metrics`)).text()).toContain('idp_checks_total');
    expect((await fetch(`${probeUrl}/readyz`)).status).toBe(200);
  });

  it('answers a POST to the logout path, and refuses a cross-site one', async () => {
    const start = await fetch(`${origin}/oauth2/login?redirect=/account`, { redirect: 'manual' });
    let jar = cookieHeader(start.headers.getSetCookie());
    const callback = await signInAtProvider(start.headers.get('location') ?? '', 'alice', undefined, origin);
    const done = await fetch(callback, { redirect: 'manual', headers: { cookie: jar } });
    jar = cookieHeader(done.headers.getSetCookie(), jar);
    expect((await fetch(`${origin}/api/whoami`, { headers: { cookie: jar } })).status).toBe(200);
    const foreign = await fetch(`${origin}/oauth2/logout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: jar, origin: 'https://evil.example', accept: 'application/json' },
    });
    expect(foreign.status).toBe(400);
    const logout = await fetch(`${origin}/oauth2/logout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: jar, origin },
    });
    expect(logout.status).toBe(302);
    jar = cookieHeader(logout.headers.getSetCookie(), jar);
    expect((await fetch(`${origin}/api/whoami`, { headers: { cookie: jar, accept: 'application/json' } })).status).toBe(
      401,
    );
  });

  it('answers an unreachable app with the service’s own 502 page, with a correlation id', async () => {
    const port = await freePort();
    const dead = await startServiceFor(idp, port, {
      UPSTREAM_URL: `http://127.0.0.1:${await freePort()}`,
      PORT: String(port),
    });
    try {
      const res = await fetch(`http://127.0.0.1:${port}${BYPASS_PATH}`, {
        headers: { accept: 'application/json', 'x-request-id': 'upstream-down-1' },
      });
      expect(res.status).toBe(502);
      expect(res.headers.get('content-type')).toMatch(/application\/json/);
      await expect(res.json()).resolves.toMatchObject({
        error: 'upstream_unavailable',
        correlationId: 'upstream-down-1',
      });
      expect(dead.logs.some((l) => l.includes('"code":"UPSTREAM_UNAVAILABLE"') && l.includes('upstream-down-1'))).toBe(
        true,
      );
    } finally {
      await dead.service.stop();
    }
  });

  it('stops within SHUTDOWN_TIMEOUT even while a proxied WebSocket stays open', async () => {
    const open = await new Promise<Duplex>((resolve, reject) => {
      const req = http.request(`${origin}/ws`, {
        headers: {
          connection: 'Upgrade',
          upgrade: 'websocket',
          'sec-websocket-version': '13',
          'sec-websocket-key': randomBytes(16).toString('base64'),
          cookie,
        },
      });
      req.on('upgrade', (_res, socket) => resolve(socket));
      req.on('error', reject);
      req.end();
    });
    const closed = new Promise((resolve) => open.once('close', resolve));
    const started = Date.now();
    serviceStopped = true;
    await stopService();
    await closed;
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
