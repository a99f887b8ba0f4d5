import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeJwt } from 'jose';
import { startTokenApi, type Encoding, type TokenApiUnderTest } from '../support/token-api-harness.js';
import {
  SERVICE_CLIENT,
  startTokenApiProvider,
  TARGETS,
  type TokenApiProvider,
} from '../support/token-api-provider.js';

const encodings: Encoding[] = ['json', 'form'];
const SHORT = `${TARGETS.short}/.default`;
const LONG = `${TARGETS.long}/.default`;

let op: TokenApiProvider;
let api: TokenApiUnderTest;
let rfc8693: TokenApiUnderTest;

beforeAll(async () => {
  op = await startTokenApiProvider();
  api = await startTokenApi({ issuer: op.issuer });
  rfc8693 = await startTokenApi({ issuer: op.issuer, exchangeGrant: 'rfc8693' });
});
afterAll(async () => {
  await api.close();
  await rfc8693.close();
  await op.close();
});

function expectNoStore(headers: Headers): void {
  expect(headers.get('cache-control')).toBe('no-store');
  expect(headers.get('pragma')).toBe('no-cache');
  expect(headers.get('expires')).toBe('0');
  expect(headers.get('content-type')).toMatch(/^application\/json/);
}

describe.each(encodings)('POST /api/v1/token (%s body)', (encoding) => {
  it.each(['azuread', 'entra_id'])(
    'answers a client-credentials token for the target with identity_provider %s',
    async (idp) => {
      const { status, headers, body } = await api.post(
        '/api/v1/token',
        { identity_provider: idp, target: SHORT, skip_cache: true },
        encoding,
      );
      expect(status).toBe(200);
      expectNoStore(headers);
      expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'token_type']);
      expect(body.token_type).toBe('Bearer');
      expect(body.expires_in).toBeGreaterThanOrEqual(99);
      expect(body.expires_in).toBeLessThanOrEqual(100);
      const claims = decodeJwt(body.access_token);
      expect(claims).toMatchObject({
        aud: TARGETS.short,
        client_id: SERVICE_CLIENT.id,
        sub: SERVICE_CLIENT.id,
        iss: op.issuer,
      });
    },
  );

  it('sends resource as an RFC 8707 resource indicator', async () => {
    const ok = await api.post(
      '/api/v1/token',
      { identity_provider: 'azuread', target: LONG, resource: TARGETS.long },
      encoding,
    );
    expect(ok.status).toBe(200);
    expect(decodeJwt(ok.body.access_token).aud).toBe(TARGETS.long);
    const refused = await api.post(
      '/api/v1/token',
      { identity_provider: 'azuread', target: LONG, resource: 'api://unknown' },
      encoding,
    );
    expect(refused).toMatchObject({ status: 400, body: { error: 'invalid_target' } });
  });
});

describe.each(encodings)('POST /api/v1/token/exchange (%s body)', (encoding) => {
  it('exchanges the user token on behalf of the user (Entra OBO)', async () => {
    const userToken = await op.userToken('alice');
    const { status, headers, body } = await api.post(
      '/api/v1/token/exchange',
      { identity_provider: 'azuread', target: LONG, user_token: userToken },
      encoding,
    );
    expect(status).toBe(200);
    expectNoStore(headers);
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'token_type']);
    expect(body.token_type).toBe('Bearer');
    expect(decodeJwt(body.access_token)).toMatchObject({ aud: TARGETS.long, sub: 'alice' });
  });

  it('exchanges the user token with RFC 8693 token exchange when configured', async () => {
    const before = op.grants['urn:ietf:params:oauth:grant-type:token-exchange'] ?? 0;
    const userToken = await op.userToken('bob');
    const { status, body } = await rfc8693.post(
      '/api/v1/token/exchange',
      { identity_provider: 'entra_id', target: TARGETS.long, user_token: userToken },
      encoding,
    );
    expect(status).toBe(200);
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'token_type']);
    expect(decodeJwt(body.access_token)).toMatchObject({ aud: TARGETS.long, sub: 'bob' });
    expect(op.grants['urn:ietf:params:oauth:grant-type:token-exchange']).toBe(before + 1);
  });

  it("passes the provider's refusal of a bad user token through", async () => {
    const bad = await api.post(
      '/api/v1/token/exchange',
      { identity_provider: 'azuread', target: LONG, user_token: 'not-a-token' },
      encoding,
    );
    expect(bad).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'grant request is invalid' },
    });
    const empty = await api.post(
      '/api/v1/token/exchange',
      { identity_provider: 'azuread', target: LONG, user_token: '' },
      encoding,
    );
    expect(empty.status).toBe(400);
    expect(empty.body).toEqual({ error: 'invalid_request', error_description: 'missing or empty assertion parameter' });
  });
});

describe.each(encodings)('POST /api/v1/introspect (%s body)', (encoding) => {
  it('answers active with the claims verbatim', async () => {
    const token = await op.userToken('alice');
    const { status, headers, body } = await api.post(
      '/api/v1/introspect',
      { identity_provider: 'azuread', token },
      encoding,
    );
    expect(status).toBe(200);
    expectNoStore(headers);
    expect(body).toEqual({ active: true, ...decodeJwt(token) });
  });

  it('answers 200 inactive with the reason for a token that does not validate', async () => {
    const foreign = await op.userToken('alice', 'some-other-api');
    expect(
      (await api.post('/api/v1/introspect', { identity_provider: 'entra_id', token: foreign }, encoding)).body,
    ).toEqual({
      active: false,
      error: 'invalid token: InvalidAudience',
    });
    const garbage = await api.post('/api/v1/introspect', { identity_provider: 'entra_id', token: 'garbage' }, encoding);
    expect(garbage).toMatchObject({
      status: 200,
      body: { active: false, error: 'invalid token header: InvalidToken' },
    });
  });
});

describe.each(encodings)('texas identity providers (%s body)', (encoding) => {
  it.each(['tokenx', 'maskinporten', 'idporten'])('knows %s but says it is not enabled', async (idp) => {
    const text = `identity provider '${idp}' is not enabled`;
    expect(await api.post('/api/v1/token', { identity_provider: idp, target: SHORT }, encoding)).toMatchObject({
      status: 400,
      body: { error: 'invalid_request', error_description: text },
    });
    expect(
      await api.post('/api/v1/token/exchange', { identity_provider: idp, target: SHORT, user_token: 't' }, encoding),
    ).toMatchObject({
      status: 400,
      body: { error: 'invalid_request', error_description: text },
    });
    const introspected = await api.post('/api/v1/introspect', { identity_provider: idp, token: 't' }, encoding);
    expect(introspected.status).toBe(200);
    expect(introspected.body).toEqual({ active: false, error: text });
  });

  it('refuses an unknown identity provider with 400 invalid_request, on every endpoint', async () => {
    const prefix =
      encoding === 'json'
        ? 'Failed to deserialize the JSON body into the target type'
        : 'Failed to deserialize form body';
    const text = `${prefix}: identity_provider: unknown variant \`invalid\`, expected one of \`azuread\`, \`entra_id\`, \`tokenx\`, \`maskinporten\`, \`idporten\``;
    for (const path of ['/api/v1/token', '/api/v1/token/exchange', '/api/v1/introspect']) {
      const answer = await api.post(
        path,
        { identity_provider: 'invalid', target: SHORT, user_token: 't', token: 't' },
        encoding,
      );
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({ error: 'invalid_request', error_description: text });
    }
  });
});
