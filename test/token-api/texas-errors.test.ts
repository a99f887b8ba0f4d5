import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTokenApi, type Encoding, type TokenApiUnderTest } from '../support/token-api-harness.js';
import { startTokenApiProvider, TARGETS, type TokenApiProvider } from '../support/token-api-provider.js';
import { rawRequest } from '../support/raw-request.js';

const SHORT = `${TARGETS.short}/.default`;
let op: TokenApiProvider;
let api: TokenApiUnderTest;

beforeAll(async () => {
  op = await startTokenApiProvider();
  api = await startTokenApi({ issuer: op.issuer });
});
afterAll(async () => {
  await api.close();
  await op.close();
});

function post(
  path: string,
  contentType: string | undefined,
  body: string | Buffer,
  headers: Record<string, string> = {},
) {
  return rawRequest({
    port: api.port,
    path,
    body,
    headers: { ...(contentType ? { 'Content-Type': contentType } : {}), ...headers },
  });
}

describe('request bodies', () => {
  it.each([
    ['text/plain', 'text/plain'],
    [undefined, ''],
    ['application/xml', 'application/xml'],
  ])('refuses Content-Type %s with 400 invalid_request', async (type, shown) => {
    for (const path of ['/api/v1/token', '/api/v1/token/exchange', '/api/v1/introspect']) {
      const answer = await post(path, type, 'some plain text');
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body)).toEqual({
        error: 'invalid_request',
        error_description: `unsupported media type: ${shown}: expected one of \`application/json\`, \`application/x-www-form-urlencoded\``,
      });
    }
  });

  it('accepts media types with parameters, as texas does', async () => {
    const answer = await post(
      '/api/v1/token',
      'application/json; charset=utf-8',
      JSON.stringify({ identity_provider: 'azuread', target: SHORT }),
    );
    expect(answer.status).toBe(200);
  });

  it.each<[string, Encoding, Record<string, unknown>, string]>([
    ['/api/v1/token', 'json', { identity_provider: 'azuread' }, 'missing field `target`'],
    ['/api/v1/token', 'form', { target: SHORT }, 'missing field `identity_provider`'],
    ['/api/v1/token/exchange', 'json', { identity_provider: 'azuread', target: SHORT }, 'missing field `user_token`'],
    ['/api/v1/introspect', 'form', { identity_provider: 'azuread' }, 'missing field `token`'],
    [
      '/api/v1/token',
      'json',
      { identity_provider: 'azuread', target: 5 },
      'target: invalid type: number `5`, expected a string',
    ],
    [
      '/api/v1/token',
      'json',
      { identity_provider: 'azuread', target: SHORT, skip_cache: 'yes' },
      'skip_cache: invalid type: string "yes", expected a boolean',
    ],
    [
      '/api/v1/token',
      'form',
      { identity_provider: 'azuread', target: SHORT, skip_cache: 'yes' },
      'skip_cache: invalid type: string "yes", expected a boolean',
    ],
  ])('refuses %s (%s) %j with 400 invalid_request', async (path, encoding, fields, detail) => {
    const answer = await api.post(path, fields, encoding);
    const prefix =
      encoding === 'json'
        ? 'Failed to deserialize the JSON body into the target type'
        : 'Failed to deserialize form body';
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ error: 'invalid_request', error_description: `${prefix}: ${detail}` });
  });

  it.each([
    ['{"identity_provider":', 'application/json'],
    ['', 'application/json'],
    ['"a string"', 'application/json'],
    ['[1]', 'application/json'],
    ['target=a&target=b&identity_provider=azuread', 'application/x-www-form-urlencoded'],
  ])('refuses the malformed body %j with 400 invalid_request', async (body, type) => {
    const answer = await post('/api/v1/token', type, body);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ error: 'invalid_request', error_description: expect.any(String) });
  });

  it('refuses an oversized body with 413 and a JSON error', async () => {
    const answer = await post(
      '/api/v1/token',
      'application/json',
      JSON.stringify({ identity_provider: 'azuread', target: 'x'.repeat(70_000) }),
    );
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toEqual({
      error: 'invalid_request',
      error_description: 'request body is larger than 65536 bytes',
    });
  });

  it('refuses a compressed body with 400 invalid_request', async () => {
    const answer = await post('/api/v1/token', 'application/json', Buffer.from([0x1f, 0x8b, 0, 0]), {
      'Content-Encoding': 'gzip',
    });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).error).toBe('invalid_request');
  });
});

describe('provider errors', () => {
  it('passes invalid_target through with its status and only error and error_description', async () => {
    const answer = await api.post(
      '/api/v1/token',
      { identity_provider: 'azuread', target: 'api://unknown/.default' },
      'json',
    );
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ error: 'invalid_target', error_description: 'unknown target api://unknown' });
  });

  it('passes invalid_client through with 401', async () => {
    const wrongSecret = await startTokenApi({ issuer: op.issuer, clientSecret: 'wrong' });
    try {
      const answer = await wrongSecret.post('/api/v1/token', { identity_provider: 'azuread', target: SHORT }, 'form');
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual({ error: 'invalid_client', error_description: 'client authentication failed' });
    } finally {
      await wrongSecret.close();
    }
  });

  it('keeps a provider status and code it does not know, and drops Entra extra fields', async () => {
    op.fault = {
      status: 503,
      contentType: 'application/json',
      body: JSON.stringify({
        error: 'temporarily_unavailable',
        error_description: 'AADSTS90033: try again',
        error_codes: [90033],
        trace_id: 't',
        timestamp: 'now',
      }),
    };
    const answer = await api.post(
      '/api/v1/token',
      { identity_provider: 'azuread', target: SHORT, skip_cache: true },
      'json',
    );
    expect(answer.status).toBe(503);
    expect(answer.body).toEqual({ error: 'temporarily_unavailable', error_description: 'AADSTS90033: try again' });
    op.fault = {
      status: 400,
      contentType: 'application/json',
      body: JSON.stringify({
        error: 'interaction_required',
        error_description: 'AADSTS50076: MFA',
        error_codes: [50076],
      }),
    };
    const obo = await api.post(
      '/api/v1/token/exchange',
      { identity_provider: 'azuread', target: SHORT, user_token: 'u', skip_cache: true },
      'json',
    );
    expect(obo.status).toBe(400);
    expect(obo.body).toEqual({ error: 'interaction_required', error_description: 'AADSTS50076: MFA' });
  });

  it('answers 500 server_error when the provider answers something that is not OAuth', async () => {
    op.fault = { status: 502, contentType: 'text/html', body: '<html>bad gateway</html>' };
    const answer = await api.post(
      '/api/v1/token',
      { identity_provider: 'azuread', target: SHORT, skip_cache: true },
      'json',
    );
    expect(answer.status).toBe(500);
    expect(answer.body).toEqual({ error: 'server_error', error_description: expect.stringContaining('HTTP 502') });
    op.fault = { status: 200, contentType: 'application/json', body: '{"not":"a token response"}' };
    const odd = await api.post(
      '/api/v1/token',
      { identity_provider: 'azuread', target: SHORT, skip_cache: true },
      'json',
    );
    expect(odd).toMatchObject({ status: 500, body: { error: 'server_error' } });
  });

  it('answers 500 server_error when the provider cannot be reached', async () => {
    const lonely = await startTokenApiProvider();
    const orphan = await startTokenApi({ issuer: lonely.issuer });
    await lonely.close();
    try {
      for (const [path, fields] of [
        ['/api/v1/token', { target: SHORT }],
        ['/api/v1/token/exchange', { target: SHORT, user_token: 'u' }],
      ] as const) {
        const answer = await orphan.post(path, { identity_provider: 'azuread', ...fields }, 'json');
        expect(answer.status).toBe(500);
        expect(answer.body).toEqual({
          error: 'server_error',
          error_description: expect.stringMatching(/^Upstream request failed: /),
        });
      }
    } finally {
      await orphan.close();
    }
  });
});
