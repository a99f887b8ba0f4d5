import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeJwt } from 'jose';
import { BINARY, startEchoUpstream, type EchoUpstream } from '../support/echo-upstream.js';
import {
  SERVICE_CLIENT,
  startTokenApiProvider,
  TARGETS,
  type TokenApiProvider,
} from '../support/token-api-provider.js';
import { startServiceWithTokenApi, type ServiceWithTokenApi } from '../support/token-api-service.js';

const LONG = `${TARGETS.long}/.default`;
const SHORT = `${TARGETS.short}/.default`;

let op: TokenApiProvider;
let echo: EchoUpstream;
let svc: ServiceWithTokenApi;
let user: string;

beforeAll(async () => {
  op = await startTokenApiProvider();
  echo = await startEchoUpstream();
  svc = await startServiceWithTokenApi(op, {
    DOWNSTREAM_APIS: JSON.stringify({
      echo: { BaseUrl: `${echo.url}/base/`, RelativePath: 'items', Scopes: [LONG], HttpMethod: 'Put' },
      appOnly: { BaseUrl: `${echo.url}/app`, Scopes: SHORT, RequestAppToken: true },
      noScopes: { BaseUrl: `${echo.url}/none`, Scopes: [] },
    }),
  });
  user = await op.userToken('alice');
});
afterAll(async () => {
  await svc.close();
  await echo.close();
  await op.close();
});

async function call(method: string, path: string, init: { token?: string; body?: BodyInit; type?: string } = {}) {
  const headers: Record<string, string> = {};
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.type) headers['content-type'] = init.type;
  const response = await fetch(`${svc.tokenApiUrl}${path}`, { method, headers, body: init.body });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) };
}

function expectProblem(r: Awaited<ReturnType<typeof call>>, status: number, detail: string | RegExp): void {
  expect(r.status).toBe(status);
  expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const body = r.json();
  expect(Object.keys(body).sort()).toEqual(['detail', 'status', 'title', 'type']);
  expect(body.status).toBe(status);
  expect(body.type).toMatch(/^https:\/\/tools\.ietf\.org\/html\/rfc9110#section-/);
  if (typeof detail === 'string') expect(body.detail).toBe(detail);
  else expect(body.detail).toMatch(detail);
}

describe('GET /Validate', () => {
  it('answers the caller token and its claims verbatim, with no-store headers', async () => {
    const r = await call('GET', '/Validate', { token: user });
    expect(r.status).toBe(200);
    expect(r.json()).toEqual({ protocol: 'Bearer', token: user, claims: decodeJwt(user) });
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.headers.get('expires')).toBe('0');
  });

  it('answers 401 with WWW-Authenticate: Bearer and no body without a token', async () => {
    const r = await call('GET', '/Validate');
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toBe('Bearer');
    expect(r.text).toBe('');
  });

  it('answers 401 invalid_token for a token of another audience', async () => {
    const r = await call('GET', '/validate', { token: await op.userToken('alice', 'api://other') });
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
    expect(r.text).toBe('');
  });
});

describe('GET /AuthorizationHeader/{name} and /AuthorizationHeaderUnauthenticated/{name}', () => {
  it('exchanges the caller token on behalf of the user for the API scopes', async () => {
    const r = await call('GET', '/AuthorizationHeader/echo', { token: user });
    expect(r.status).toBe(200);
    const { authorizationHeader } = r.json();
    expect(authorizationHeader).toMatch(/^Bearer ey/);
    expect(decodeJwt(authorizationHeader.slice(7))).toMatchObject({ aud: TARGETS.long, sub: 'alice' });
  });

  it('needs the caller token on the authenticated route', async () => {
    const r = await call('GET', '/AuthorizationHeader/echo');
    expect(r.status).toBe(401);
    expect(r.text).toBe('');
  });

  it('answers an app token on the unauthenticated route', async () => {
    const r = await call('GET', '/AuthorizationHeaderUnauthenticated/echo');
    expect(r.status).toBe(200);
    expect(decodeJwt(r.json().authorizationHeader.slice(7))).toMatchObject({
      aud: TARGETS.long,
      sub: SERVICE_CLIENT.id,
    });
  });

  it('uses the app token when the profile sets RequestAppToken, even with a caller', async () => {
    const r = await call('GET', '/AuthorizationHeader/appOnly', { token: user });
    expect(decodeJwt(r.json().authorizationHeader.slice(7))).toMatchObject({
      aud: TARGETS.short,
      sub: SERVICE_CLIENT.id,
    });
  });

  it.each([
    ['/AuthorizationHeaderUnauthenticated/nope', 'nope'],
    ['/AuthorizationHeaderUnauthenticated/noScopes', 'noScopes'],
    ['/DownstreamApiUnauthenticated/nope', 'nope'],
  ])('answers %s with 400 problem+json "No scopes found"', async (path, name) => {
    const r = await call(path.includes('Downstream') ? 'POST' : 'GET', path);
    expectProblem(
      r,
      400,
      `No scopes found for the API '${name}' or in optionsOverride. 'scopes' needs to be either a single value or a list of values.`,
    );
  });

  it('applies optionsOverride.Scopes and RequestAppToken on the authenticated route', async () => {
    const r = await call(
      'GET',
      `/AuthorizationHeader/nope?optionsOverride.Scopes=${encodeURIComponent(SHORT)}&optionsOverride.RequestAppToken=true`,
      { token: user },
    );
    expect(r.status).toBe(200);
    expect(decodeJwt(r.json().authorizationHeader.slice(7))).toMatchObject({
      aud: TARGETS.short,
      sub: SERVICE_CLIENT.id,
    });
  });

  it('ignores optionsOverride on the unauthenticated route, as the sidecar does by default (with a warning)', async () => {
    const r = await call(
      'GET',
      `/AuthorizationHeaderUnauthenticated/echo?optionsOverride.Scopes=${encodeURIComponent(SHORT)}`,
    );
    expect(decodeJwt(r.json().authorizationHeader.slice(7)).aud).toBe(TARGETS.long);
    expect(svc.logs.join('')).toContain('optionsOverride parameters are not allowed on this route');
    const none = await call(
      'GET',
      `/AuthorizationHeaderUnauthenticated/nope?optionsOverride.Scopes=${encodeURIComponent(SHORT)}`,
    );
    expect(none.status).toBe(400);
  });

  it('answers 401 problem+json with the provider text when it refuses the on-behalf-of grant', async () => {
    op.fault = {
      status: 400,
      contentType: 'application/json',
      body: JSON.stringify({ error: 'interaction_required', error_description: 'AADSTS50079: MFA required.' }),
    };
    const r = await call('GET', '/AuthorizationHeader/echo?optionsOverride.AcquireTokenOptions.ForceRefresh=true', {
      token: user,
    });
    expectProblem(r, 401, 'AADSTS50079: MFA required.');
  });

  it('answers 500 "An unexpected error occurred." when the provider answers nonsense', async () => {
    op.fault = { status: 502, contentType: 'text/html', body: '<h1>bad gateway</h1>' };
    const r = await call('GET', '/AuthorizationHeader/appOnly?optionsOverride.AcquireTokenOptions.ForceRefresh=true', {
      token: user,
    });
    op.fault = undefined;
    expectProblem(r, 500, 'An unexpected error occurred.');
  });

  it('serves repeated calls from the token cache, shared with texas; ForceRefresh asks the provider again', async () => {
    const first = await call('GET', '/AuthorizationHeader/echo', { token: user });
    const grants = { ...op.grants };
    const again = await call('GET', '/AuthorizationHeader/echo', { token: user });
    expect(again.json()).toEqual(first.json());
    expect(op.grants).toEqual(grants);
    const texas = await fetch(`${svc.tokenApiUrl}/api/v1/token/exchange`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identity_provider: 'azuread', target: LONG, user_token: user }),
    });
    expect(`Bearer ${((await texas.json()) as { access_token: string }).access_token}`).toBe(
      first.json().authorizationHeader,
    );
    expect(op.grants).toEqual(grants);
    const forced = await call(
      'GET',
      '/AuthorizationHeader/echo?optionsOverride.AcquireTokenOptions.ForceRefresh=true',
      {
        token: user,
      },
    );
    expect(forced.json()).not.toEqual(first.json());
    const obo = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
    expect(op.grants[obo]).toBe((grants[obo] ?? 0) + 1);
  });
});

describe('POST /DownstreamApi/{name} and /DownstreamApiUnauthenticated/{name}', () => {
  it('calls BaseUrl + RelativePath with the profile method, the token and the body bytes; answers the envelope', async () => {
    const before = echo.requests.length;
    const body = Buffer.from([1, 2, 3, 0xff]);
    const r = await call('POST', '/DownstreamApi/echo', { token: user, body, type: 'application/x-test' });
    expect(r.status).toBe(200);
    const envelope = r.json();
    expect(Object.keys(envelope).sort()).toEqual(['content', 'headers', 'statusCode']);
    expect(envelope.statusCode).toBe(200);
    expect(envelope.headers['Content-Type']).toEqual(['application/json; charset=utf-8']);
    expect(envelope.headers['X-Echo']).toBeUndefined();
    const seen = echo.requests[before];
    expect(seen.method).toBe('PUT');
    expect(seen.url).toBe('/base/items');
    expect(seen.headers['content-type']).toBe('application/x-test');
    expect(seen.body.equals(body)).toBe(true);
    expect(decodeJwt(String(seen.headers.authorization).slice(7))).toMatchObject({ aud: TARGETS.long, sub: 'alice' });
    expect(JSON.parse(envelope.content).path).toBe('/base/items');
  });

  it('forwards no body without a Content-Type, and uses the app identity on the unauthenticated route', async () => {
    const before = echo.requests.length;
    const r = await call('POST', '/DownstreamApiUnauthenticated/echo');
    expect(r.json().statusCode).toBe(200);
    const seen = echo.requests[before];
    expect(seen.body.length).toBe(0);
    expect(decodeJwt(String(seen.headers.authorization).slice(7)).sub).toBe(SERVICE_CLIENT.id);
  });

  it('never applies optionsOverride.BaseUrl, but applies RelativePath, HttpMethod and extra parameters', async () => {
    const before = echo.requests.length;
    const r = await call(
      'POST',
      '/DownstreamApi/echo?optionsOverride.BaseUrl=http://127.0.0.2:1/evil&optionsOverride.RelativePath=other/1' +
        '&optionsOverride.HttpMethod=DELETE&optionsOverride.ExtraQueryParameters.q=v&optionsOverride.ExtraHeaderParameters.X-Extra=1',
      { token: user },
    );
    expect(r.json().statusCode).toBe(200);
    const seen = echo.requests[before];
    expect(seen.url).toBe('/base/other/1?q=v');
    expect(seen.method).toBe('DELETE');
    expect(seen.headers['x-extra']).toBe('1');
    expect(svc.logs.join('')).toContain('optionsOverride.BaseUrl is never applied');
  });

  it.each([
    '../admin',
    '..%2Fadmin',
    '%2e%2e/admin',
    '%252e%252e/admin',
    'a/../../admin',
    '//evil.example/x',
    '%2F%2Fevil.example/x',
    'http://evil.example/x',
    'https:%2F%2Fevil.example',
    'a\\..\\b',
  ])('refuses the RelativePath %s that would leave BaseUrl with 400', async (path) => {
    const before = echo.requests.length;
    const r = await call('POST', `/DownstreamApi/echo?optionsOverride.RelativePath=${encodeURIComponent(path)}`, {
      token: user,
    });
    expectProblem(r, 400, /^RelativePath /);
    expect(echo.requests.length).toBe(before);
  });

  it('answers a downstream 302 in the envelope without following it', async () => {
    const before = echo.requests.length;
    const r = await call('POST', '/DownstreamApi/echo?optionsOverride.RelativePath=redirect', { token: user });
    expect(r.json()).toMatchObject({ statusCode: 302, content: null });
    expect(r.json().headers.Location).toBeUndefined();
    expect(echo.requests.length).toBe(before + 1);
  });

  it('answers a chunked body as content, and a binary one without failing', async () => {
    const chunked = await call('POST', '/DownstreamApi/echo?optionsOverride.RelativePath=chunked', { token: user });
    expect(chunked.json()).toMatchObject({ statusCode: 200, content: 'first,second' });
    const binary = await call('POST', '/DownstreamApi/echo?optionsOverride.RelativePath=binary', { token: user });
    expect(binary.json()).toMatchObject({
      statusCode: 200,
      headers: { 'Content-Type': ['application/octet-stream'], 'Content-Length': [String(BINARY.length)] },
    });
    expect(typeof binary.json().content).toBe('string');
  });

  it('answers downstream errors inside a 200 envelope', async () => {
    const r = await call('POST', '/DownstreamApi/echo?optionsOverride.RelativePath=status/503', { token: user });
    expect(r.status).toBe(200);
    expect(r.json()).toMatchObject({ statusCode: 503, content: '{"status":503}' });
  });
});
