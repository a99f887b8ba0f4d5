import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generateKeyPair } from 'jose';
import { loadConfig } from '../../../src/config/index.js';
import { API_CLIENT_ID, APP_A, APP_B, ROLE, SECRET, T1, T2 } from '../../support/entra-tenants.js';
import { startBearerService, type BearerService } from '../../support/bearer-service.js';
import { DOMAIN, SESSION_SECRET, startCapturedService } from '../../support/harness.js';
import { seedSession } from '../../support/seed-session.js';

let s: BearerService;
const now = () => Math.floor(Date.now() / 1000);

beforeAll(async () => {
  s = await startBearerService();
});
afterAll(async () => {
  await s?.close();
});

const challenge = (error: string, description: string, scope?: string) =>
  `Bearer realm="${DOMAIN}", error="${error}", error_description="${description}"${scope ? `, scope="${scope}"` : ''}`;

/** What every refusal carries: the JSON body with a correlation id, no-store, never a cookie. */
function expectRefusal(res: { status: number; headers: Record<string, string>; text: string }, error: string): void {
  expect(res.headers['cache-control']).toBe('no-store');
  expect(res.headers['set-cookie']).toBeUndefined();
  expect(res.headers.location).toBeUndefined();
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(JSON.parse(res.text)).toEqual({ error, message: expect.any(String), correlationId: expect.any(String) });
}

describe('bearer tokens through forwardAuth (BEARER_AUTH=on)', () => {
  it('lets an allowed application through with its client headers and no user', async () => {
    const res = await s.forward('/orders', { token: await s.tenants.appToken(T1, APP_A) });
    expect(res.status).toBe(200);
    expect(res.headers['x-forwarded-client-id']).toBe(APP_A);
    expect(res.headers['x-forwarded-client-name']).toBe('test:team:app-a');
    expect(res.headers['x-forwarded-user']).toBeUndefined();
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('refuses a valid application token without the required role with 403 insufficient_scope', async () => {
    const res = await s.forward('/orders', { token: await s.tenants.appToken(T1, APP_B) });
    expect(res.status).toBe(403);
    expect(res.headers['www-authenticate']).toBe(challenge('insufficient_scope', 'role required', ROLE));
    expectRefusal(res, 'insufficient_scope');
    expect(s.logs.join('')).toContain('carries none of ACCESS_POLICY.appRoles');
  });

  it('refuses a token of a tenant outside the allow-list with 401 invalid_token', async () => {
    const res = await s.forward('/orders', { token: await s.tenants.appToken(T2, APP_A) });
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(challenge('invalid_token', 'issuer not accepted'));
    expectRefusal(res, 'invalid_token');
  });

  it('lets a user in an allowed group through with identity headers from the access token', async () => {
    const res = await s.forward('/orders', { token: await s.tenants.userToken(T1, APP_A, 'alice') });
    expect(res.status).toBe(200);
    expect(res.headers['x-forwarded-user']).toBe('Alice Andersen');
    expect(res.headers['x-forwarded-email']).toBe('alice@example.test');
    expect(res.headers['x-forwarded-subject']).toBe('oid-alice');
    expect(res.headers['x-forwarded-client-id']).toBeUndefined();
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('refuses a user outside the groups with 403, and a user with groups in overage with a logged reason', async () => {
    const bob = await s.forward('/orders', { token: await s.tenants.userToken(T1, APP_A, 'bob') });
    expect(bob.status).toBe(403);
    expect(bob.headers['www-authenticate']).toBe(challenge('insufficient_scope', 'user not allowed'));
    const olga = await s.forward('/orders', { token: await s.tenants.userToken(T1, APP_A, 'olga') });
    expect(olga.status).toBe(403);
    expect(s.logs.join('')).toContain('groups overage');
  });

  it('refuses expired, not-yet-valid and wrong-audience tokens with a fixed description', async () => {
    const base = { iss: s.tenants.issuer(T1), tid: T1, azp: APP_A, idtyp: 'app', roles: [ROLE], aud: API_CLIENT_ID };
    const expired = await s.tenants.sign({ ...base, iat: now() - 600, exp: now() - 120 });
    const early = await s.tenants.sign({ ...base, iat: now(), nbf: now() + 600, exp: now() + 900 });
    const foreign = await s.tenants.sign({ ...base, aud: 'someone-else', iat: now(), exp: now() + 300 });
    expect((await s.forward('/x', { token: expired })).headers['www-authenticate']).toBe(
      challenge('invalid_token', 'expired'),
    );
    expect((await s.forward('/x', { token: early })).headers['www-authenticate']).toBe(
      challenge('invalid_token', 'not yet valid'),
    );
    const res = await s.forward('/x', { token: foreign });
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(challenge('invalid_token', 'audience not accepted'));
    expect(s.logs.join('')).not.toContain(foreign);
  });

  it('answers a malformed Authorization header with 400 invalid_request', async () => {
    const res = await s.forward('/x', { headers: { Authorization: 'Bearer two tokens' } });
    expect(res.status).toBe(400);
    expect(res.headers['www-authenticate']).toBe(challenge('invalid_request', 'malformed Authorization header'));
    expectRefusal(res, 'invalid_request');
  });

  it('never falls back to a valid cookie session when the bearer token is invalid', async () => {
    const { cookie } = await seedSession(s.service.sessions, {
      claims: { sub: 'alice', name: 'Alice Andersen', tid: T1 },
    });
    expect((await s.forward('/orders', { headers: { Cookie: cookie } })).status).toBe(200);
    const res = await s.forward('/orders', { token: 'not.a.jwt', headers: { Cookie: cookie } });
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(challenge('invalid_token', 'malformed token'));
    expectRefusal(res, 'invalid_token');
    const app = await s.forward('/orders', { token: await s.tenants.appToken(T1, APP_A), headers: { Cookie: cookie } });
    expect(app.status).toBe(200);
    expect(app.headers['x-forwarded-user']).toBeUndefined();
    expect(app.headers['set-cookie']).toBeUndefined();
  });

  it('answers 401 with a bare challenge on a bearer-only path without a token, never a login redirect', async () => {
    const { cookie } = await seedSession(s.service.sessions, { claims: { sub: 'alice', tid: T1 } });
    for (const headers of [{}, { Cookie: cookie }] as Record<string, string>[]) {
      const res = await s.forward('/api/orders', { accept: 'text/html,application/xhtml+xml', headers });
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe(`Bearer realm="${DOMAIN}"`);
      expectRefusal(res, 'unauthenticated');
    }
    expect((await s.forward('/api', { token: await s.tenants.appToken(T1, APP_A) })).status).toBe(200);
  });

  it('keeps the cookie path unchanged for requests without Authorization elsewhere', async () => {
    const res = await s.forward('/apix', { accept: 'text/html,application/xhtml+xml' });
    expect(res.status).toBe(302);
    expect(res.headers.location).toContain(`${s.tenants.issuer(T1)}/auth?`);
  });

  it('fetches the key set at most once for a flood of tokens with unknown keys, and serves a valid token from cache', async () => {
    const token = await s.tenants.appToken(T1, APP_A);
    expect((await s.forward('/x', { token })).status).toBe(200);
    const before = s.tenants.jwksFetches();
    const { privateKey } = await generateKeyPair('RS256');
    const claims = { iss: s.tenants.issuer(T1), tid: T1, azp: APP_A, idtyp: 'app', roles: [ROLE], aud: API_CLIENT_ID };
    for (let i = 0; i < 30; i++) {
      const forged = await s.tenants.sign(
        { ...claims, jti: `j${i}`, iat: now(), exp: now() + 300 },
        { key: privateKey, kid: `unknown-${i}` },
      );
      const res = await s.forward('/x', { token: forged });
      expect(res.status).toBe(401);
    }
    expect(s.tenants.jwksFetches() - before).toBeLessThanOrEqual(1);
    const again = s.tenants.jwksFetches();
    for (let i = 0; i < 5; i++) expect((await s.forward('/x', { token })).status).toBe(200);
    expect(s.tenants.jwksFetches()).toBe(again);
  });
});

describe('bearer tokens before the provider is discovered', () => {
  it('answer 503, not a crash, and do not touch the cookie path', async () => {
    const config = loadConfig({
      OIDC_ISSUER_URL: 'http://127.0.0.1:9/unreachable',
      OIDC_ALLOW_INSECURE_HTTP: 'true',
      OIDC_CLIENT_ID: API_CLIENT_ID,
      OIDC_CLIENT_SECRET: SECRET,
      SESSION_SECRET,
      DOMAIN,
      HOST: '127.0.0.1',
      PORT: '0',
      PROBE_PORT: '0',
      BEARER_AUTH: 'on',
      ACCESS_POLICY: '{}',
    });
    const { service } = await startCapturedService(config);
    try {
      const { default: supertest } = await import('supertest');
      const address = service.server.address() as { port: number };
      const res = await supertest(`http://127.0.0.1:${address.port}`)
        .get('/oauth2/auth')
        .set('X-Forwarded-Proto', 'https')
        .set('X-Forwarded-Host', DOMAIN)
        .set('X-Forwarded-Uri', '/x')
        .set('Accept', 'application/json')
        .set('Authorization', 'Bearer a.b.c');
      expect(res.status).toBe(503);
    } finally {
      await service.stop();
    }
  });
});
