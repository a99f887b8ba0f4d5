import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeJwt } from 'jose';
import { loadConfig } from '../../src/config/index.js';
import { serviceEnv, startCapturedService } from '../support/harness.js';
import {
  SERVICE_CLIENT,
  startTokenApiProvider,
  TARGETS,
  type TokenApiProvider,
} from '../support/token-api-provider.js';
import { startServiceWithTokenApi, type ServiceWithTokenApi } from '../support/token-api-service.js';

let op: TokenApiProvider;
let svc: ServiceWithTokenApi;

beforeAll(async () => {
  op = await startTokenApiProvider();
  svc = await startServiceWithTokenApi(op);
});
afterAll(async () => {
  await svc.close();
  await op.close();
});

const json = (body: unknown) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

describe('the token API listener of the running service (TOKEN_API_ADDRESS)', () => {
  it('introspects with the service bearer validator on the discovered metadata: claims verbatim', async () => {
    const token = await op.userToken('alice');
    const response = await fetch(`${svc.tokenApiUrl}/api/v1/introspect`, json({ identity_provider: 'azuread', token }));
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('pragma')).toBe('no-cache');
    expect(response.headers.get('expires')).toBe('0');
    expect(await response.json()).toEqual({ active: true, ...decodeJwt(token) });
  });

  it('answers active:false for a token for another audience and for a malformed one', async () => {
    const other = await op.userToken('alice', 'api://someone-else');
    const wrongAud = await fetch(
      `${svc.tokenApiUrl}/api/v1/introspect`,
      json({ identity_provider: 'entra_id', token: other }),
    );
    expect(await wrongAud.json()).toEqual({ active: false, error: 'invalid token: InvalidAudience' });
    const garbage = await fetch(
      `${svc.tokenApiUrl}/api/v1/introspect`,
      json({ identity_provider: 'entra_id', token: 'x.y' }),
    );
    expect(await garbage.json()).toEqual({ active: false, error: 'invalid token header: InvalidToken' });
  });

  it('issues client-credentials and on-behalf-of tokens with the service client', async () => {
    const app = await fetch(
      `${svc.tokenApiUrl}/api/v1/token`,
      json({ identity_provider: 'azuread', target: `${TARGETS.long}/.default` }),
    );
    expect(app.status).toBe(200);
    expect(decodeJwt(((await app.json()) as { access_token: string }).access_token)).toMatchObject({
      aud: TARGETS.long,
      client_id: SERVICE_CLIENT.id,
    });
    const user_token = await op.userToken('bob');
    const obo = await fetch(
      `${svc.tokenApiUrl}/api/v1/token/exchange`,
      json({ identity_provider: 'azuread', target: `${TARGETS.long}/.default`, user_token }),
    );
    expect(obo.status).toBe(200);
    expect(decodeJwt(((await obo.json()) as { access_token: string }).access_token)).toMatchObject({
      aud: TARGETS.long,
      sub: 'bob',
    });
  });

  it.each(['/oauth2/auth', '/oauth2/login', '/healthz', '/readyz', '/metrics', '/'])(
    'never serves the public or probe route %s',
    async (path) => {
      const response = await fetch(`${svc.tokenApiUrl}${path}`, {
        headers: { 'x-forwarded-host': 'app.test', 'x-forwarded-uri': '/', accept: 'application/json' },
        redirect: 'manual',
      });
      expect(response.status).toBe(404);
      expect(response.headers.get('location')).toBeNull();
    },
  );

  it.each([
    ['POST', '/api/v1/token'],
    ['POST', '/api/v1/token/exchange'],
    ['POST', '/api/v1/introspect'],
    ['GET', '/Validate'],
    ['GET', '/AuthorizationHeaderUnauthenticated/echo'],
    ['POST', '/DownstreamApiUnauthenticated/echo'],
  ])('never serves %s %s on the public or the probe listener', async (method, path) => {
    for (const base of [svc.publicUrl, svc.probeUrl]) {
      const response = await fetch(`${base}${path}`, {
        ...json({ identity_provider: 'azuread', target: `${TARGETS.long}/.default`, token: 'x' }),
        method,
        body: method === 'GET' ? undefined : JSON.stringify({ identity_provider: 'azuread', target: 'x', token: 'x' }),
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        redirect: 'manual',
      });
      const text = await response.text();
      expect(response.status).not.toBe(200);
      expect(text).not.toMatch(/access_token|authorizationHeader|"active"|statusCode/);
    }
  });
});

describe('the token API listener when TOKEN_API_ADDRESS is unset', () => {
  it('is not opened', async () => {
    const config = loadConfig(
      serviceEnv(op.issuer, { OIDC_CLIENT_ID: SERVICE_CLIENT.id, OIDC_CLIENT_SECRET: SERVICE_CLIENT.secret }),
    );
    const { service } = await startCapturedService(config);
    try {
      expect(service.tokenApiServer).toBeUndefined();
    } finally {
      await service.stop();
    }
  });

  it('is closed by stop(), with the other listeners', async () => {
    const own = await startServiceWithTokenApi(op);
    expect(own.service.tokenApiServer?.listening).toBe(true);
    await own.close();
    expect(own.service.tokenApiServer?.listening).toBe(false);
    await expect(fetch(`${own.tokenApiUrl}/api/v1/introspect`, json({}))).rejects.toThrow();
  });
});
