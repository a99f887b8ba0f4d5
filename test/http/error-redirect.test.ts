// ERROR_REDIRECT_PATH: a failed login of a browser navigation goes to
// https://<DOMAIN><path>?correlation_id=<id>&status_code=<status>, with none of the
// callback's parameters; fetch/XHR keep their JSON errors.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AddressInfo } from 'node:net';
import supertest from 'supertest';
import { loadConfig } from '../../src/config/index.js';
import { freePort } from '../support/free-port.js';
import {
  cookieHeader,
  DOMAIN,
  serviceEnv,
  signInAtProvider,
  startCapturedService,
  startHarness,
  type Harness,
} from '../support/harness.js';

const CALLBACK_PARAMS = ['code', 'state', 'error', 'error_description', 'iss', 'session_state'];

/** The Location of a failed login, checked for its exact shape; returns its correlation id and status. */
function errorLocation(location: string | undefined): { id: string; status: string } {
  const url = new URL(location ?? '');
  expect(url.origin + url.pathname).toBe(`https://${DOMAIN}/login-failed`);
  expect([...url.searchParams.keys()]).toEqual(['correlation_id', 'status_code']);
  for (const name of CALLBACK_PARAMS) expect(url.searchParams.has(name)).toBe(false);
  expect(location).not.toMatch(/[?&](code|state|error|iss)=/);
  return { id: url.searchParams.get('correlation_id') ?? '', status: url.searchParams.get('status_code') ?? '' };
}

describe.each(['cookie', 'redis'] as const)('login errors with ERROR_REDIRECT_PATH and the %s store', (store) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ store, env: { ERROR_REDIRECT_PATH: '/login-failed' } });
  });
  afterAll(async () => {
    await h.close();
  });

  async function pendingCallback(): Promise<{ uri: string; cookie: string }> {
    const start = await h.forward('/protected');
    const cb = new URL(await signInAtProvider(start.headers.location ?? '', 'alice', undefined, `https://${DOMAIN}`));
    return { uri: cb.pathname + cb.search, cookie: cookieHeader(start.headers['set-cookie']) };
  }

  it('redirects a provider error (?error=access_denied&state=...) with status 401 and the logged correlation id', async () => {
    const start = await h.forward('/');
    const state = new URL(start.headers.location ?? '').searchParams.get('state') ?? '';
    const res = await h.forward(
      `/oauth2/callback?error=access_denied&error_description=User+cancelled&state=${state}&iss=${encodeURIComponent(h.idp.issuer)}`,
      { cookie: cookieHeader(start.headers['set-cookie']) },
    );
    expect(res.status).toBe(302);
    const { id, status } = errorLocation(res.headers.location);
    expect(status).toBe('401');
    expect(id).toMatch(/^[\w-]{8,}$/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(h.logs.some((line) => line.includes(id) && line.includes('PROVIDER_DENIED'))).toBe(true);
  });

  it('redirects an expired login (no transaction for the state) with status 400', async () => {
    const { uri } = await pendingCallback();
    const res = await h.forward(uri);
    expect(res.status).toBe(302);
    expect(errorLocation(res.headers.location).status).toBe('400');
  });

  it('redirects a replayed code with status 400, and keeps the caller-given X-Request-Id as correlation id', async () => {
    const { uri, cookie } = await pendingCallback();
    expect((await h.forward(uri, { cookie })).status).toBe(302);
    const replay = await h.forward(uri, { cookie, headers: { 'X-Request-Id': 'req-12345678' } });
    expect(replay.status).toBe(302);
    expect(errorLocation(replay.headers.location)).toEqual({ id: 'req-12345678', status: '400' });
  });

  it('redirects a callback without state, and one called directly on the service', async () => {
    expect(errorLocation((await h.forward('/oauth2/callback?code=abc')).headers.location).status).toBe('400');
    const direct = await supertest(h.baseUrl).get('/oauth2/callback?code=abc&state=x').set('Accept', 'text/html');
    expect(direct.status).toBe(302);
    expect(errorLocation(direct.headers.location).status).toBe('400');
  });

  it('keeps the JSON error for fetch/XHR: no redirect a script could not follow', async () => {
    const { uri } = await pendingCallback();
    const res = await h.forward(uri, { accept: 'application/json', headers: { 'Sec-Fetch-Mode': 'cors' } });
    expect(res.status).toBe(400);
    expect(res.headers.location).toBeUndefined();
    expect(res.body).toMatchObject({ error: 'login_expired', correlationId: expect.any(String) });
  });

  it('serves the error page itself without a login, so a failed login cannot loop', async () => {
    const res = await h.forward('/login-failed?correlation_id=x&status_code=401');
    expect(res.status).toBe(200);
    expect(res.headers['x-forwarded-user']).toBeUndefined();
  });

  it('changes nothing for a successful login, which still returns to the app', async () => {
    const cookie = await h.login('alice', '/reports');
    expect((await h.forward('/reports', { cookie })).status).toBe(200);
  });
});

describe('login errors without ERROR_REDIRECT_PATH', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ store: 'cookie' });
  });
  afterAll(async () => {
    await h.close();
  });

  it('shows the error page, as before', async () => {
    const res = await h.forward('/oauth2/callback?code=abc');
    expect(res.status).toBe(400);
    expect(res.headers.location).toBeUndefined();
    expect(res.text).toMatch(/Reference: <code>/);
  });
});

describe('a login start that fails with ERROR_REDIRECT_PATH', () => {
  it('redirects /oauth2/login with status 503 while the provider cannot be reached', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const config = loadConfig(serviceEnv(closed, { ERROR_REDIRECT_PATH: '/login-failed' }));
    const { service } = await startCapturedService(config); // discovery never succeeds: not started
    try {
      const base = `http://127.0.0.1:${(service.server.address() as AddressInfo).port}`;
      const res = await supertest(base).get('/oauth2/login?redirect=%2Fx&prompt=login').set('Accept', 'text/html');
      expect(res.status).toBe(302);
      expect(errorLocation(res.headers.location).status).toBe('503');
      const api = await supertest(base).get('/oauth2/login').set('Accept', 'application/json');
      expect(api.status).toBe(503);
      expect(api.body.error).toBe('provider_unavailable');
    } finally {
      await service.stop();
    }
  });
});
