import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTokenApi, type TokenApiUnderTest } from '../support/token-api-harness.js';
import { startTokenApiProvider, TARGETS, type TokenApiProvider } from '../support/token-api-provider.js';
import { rawRequest } from '../support/raw-request.js';

const body = JSON.stringify({ identity_provider: 'azuread', target: `${TARGETS.short}/.default` });
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

function request(host: string, path = '/api/v1/token', method = 'POST') {
  return rawRequest({
    port: api.port,
    path,
    method,
    body: method === 'POST' ? body : undefined,
    headers: { Host: host, 'Content-Type': 'application/json' },
  });
}

describe('the Host rule (DNS rebinding)', () => {
  it.each(['evil.example', 'evil.example:7164', 'localhost.evil.example', '10.0.0.1'])(
    'refuses Host: %s with 400 and mints nothing',
    async (host) => {
      const before = op.grants.client_credentials ?? 0;
      const answer = await request(host);
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body)).toEqual({
        error: 'invalid_request',
        error_description: 'the Host header must name this host: localhost, 127.0.0.1 or [::1]',
      });
      expect(op.grants.client_credentials ?? 0).toBe(before);
    },
  );

  it.each(['localhost', 'localhost:7164', '127.0.0.1', '[::1]:7164'])('serves Host: %s', async (host) => {
    const answer = await request(host.replace('7164', String(api.port)));
    expect(answer.status).toBe(200);
  });
});

describe('the listener', () => {
  it('puts no-store, Pragma and Expires on every 2xx answer', async () => {
    const answer = await request(`127.0.0.1:${api.port}`);
    expect(answer.status).toBe(200);
    expect(answer.headers).toMatchObject({ 'cache-control': 'no-store', pragma: 'no-cache', expires: '0' });
    expect(answer.headers['x-powered-by']).toBeUndefined();
    expect(answer.headers.etag).toBeUndefined();
  });

  it.each(['/oauth2/auth', '/oauth2/login', '/healthz', '/metrics', '/api/v1/token/', '/API/V1/TOKEN'])(
    'serves no forwardAuth or other route: %s is a JSON 404',
    async (path) => {
      const answer = await request('localhost', path, 'GET');
      expect(answer.status).toBe(404);
      expect(JSON.parse(answer.body).error).toBe('not_found');
    },
  );

  it.each(['GET', 'PUT', 'DELETE'])('answers %s on a texas route with 405 and Allow: POST', async (method) => {
    const answer = await request('localhost', '/api/v1/introspect', method);
    expect(answer.status).toBe(405);
    expect(answer.headers.allow).toBe('POST');
    expect(JSON.parse(answer.body).error).toBe('invalid_request');
  });
});
