import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import supertest from 'supertest';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { serviceEnv, startHarness, type Harness } from '../support/harness.js';

describe('listeners by audience (forwardAuth mode)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it('serves /metrics on the probe listener only; the public port answers 404', async () => {
    const probe = await supertest(h.probeUrl).get('/metrics');
    expect(probe.status).toBe(200);
    expect(probe.text).toContain('idp_checks_total');
    const pub = await supertest(h.baseUrl).get('/metrics').set('Accept', 'application/json');
    expect(pub.status).toBe(404);
    expect(pub.text).not.toContain('idp_checks_total');
  });

  it('answers /healthz and /readyz on the probe listener, and keeps them on the public one for existing checks', async () => {
    for (const base of [h.probeUrl, h.baseUrl]) {
      expect((await supertest(base).get('/healthz')).body).toEqual({ status: 'ok' });
      expect((await supertest(base).get('/readyz')).body.status).toBe('ready');
    }
  });

  it('serves nothing else on the probe listener: no forwardAuth, no login', async () => {
    for (const path of ['/oauth2/auth', '/oauth2/login', '/', '/metrics/']) {
      expect(
        (await supertest(h.probeUrl).get(path).set('X-Forwarded-Host', 'app.test').set('X-Forwarded-Uri', '/')).status,
      ).toBe(404);
    }
  });

  it('puts security headers on its own pages, not on the forwardAuth answer', async () => {
    const page = await supertest(h.baseUrl).get('/nope').set('Accept', 'text/html');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(page.headers['strict-transport-security']).not.toMatch(/includeSubDomains/i);
    const check = await h.forward('/', { accept: 'application/json' });
    expect(check.headers['strict-transport-security']).toBeUndefined();
  });
});

describe('listener configuration', () => {
  const env = serviceEnv('https://login.example.com/tenant/v2.0');

  it('defaults the probe listener to port 4181', () => {
    const { PROBE_PORT: _, ...rest } = env;
    expect(loadConfig({ ...rest, PORT: '4180' }).probePort).toBe(4181);
  });

  it('refuses a probe port equal to PORT, naming PROBE_PORT', () => {
    expect(() => loadConfig({ ...env, PORT: '4180', PROBE_PORT: '4180' })).toThrow(/PROBE_PORT/);
  });

  it('keeps the token API off unless TOKEN_API_ADDRESS is set, and reads it when set', () => {
    expect(loadConfig(env).tokenApi).toBeUndefined();
    expect(loadConfig({ ...env, TOKEN_API_ADDRESS: '127.0.0.1:4182' }).tokenApi).toMatchObject({
      host: '127.0.0.1',
      port: 4182,
      allowRemote: false,
    });
  });

  it('refuses a non-loopback TOKEN_API_ADDRESS, naming the variable', () => {
    let error: unknown;
    try {
      loadConfig({ ...env, TOKEN_API_ADDRESS: '0.0.0.0:4182' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/TOKEN_API_ADDRESS must be a loopback address/);
  });
});
