import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { decodeJwt } from 'jose';
import { startTokenApi, type Encoding, type TokenApiUnderTest } from '../support/token-api-harness.js';
import { startTokenApiProvider, TARGETS, type TokenApiProvider } from '../support/token-api-provider.js';

const CC = 'client_credentials';
const OBO = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const SHORT = `${TARGETS.short}/.default`;
const LONG = `${TARGETS.long}/.default`;

let op: TokenApiProvider;
let api: TokenApiUnderTest;
/** The cache's clock: moved by hand, so TTLs are tested without waiting. */
let now = 0;

beforeAll(async () => {
  op = await startTokenApiProvider();
  api = await startTokenApi({ issuer: op.issuer, cache: { now: () => now } });
});
afterAll(async () => {
  await api.close();
  await op.close();
});
beforeEach(() => {
  now += 10_000_000;
});

const grants = (type: string) => op.grants[type] ?? 0;

describe.each<Encoding>(['json', 'form'])('token caching (%s body)', (encoding) => {
  it('serves a second request from the cache with expires_in recomputed', async () => {
    const before = grants(CC);
    const first = await api.post('/api/v1/token', { identity_provider: 'azuread', target: SHORT }, encoding);
    now += 10_000;
    const second = await api.post('/api/v1/token', { identity_provider: 'entra_id', target: SHORT }, encoding);
    expect(grants(CC)).toBe(before + 1);
    expect(second.body.access_token).toBe(first.body.access_token);
    expect(second.body.expires_in).toBe(first.body.expires_in - 10);
    expect(second.headers.get('cache-control')).toBe('no-store');
  });

  it('refetches on skip_cache, and keeps the new token', async () => {
    const first = await api.post('/api/v1/token', { identity_provider: 'azuread', target: LONG }, encoding);
    const before = grants(CC);
    const skipped = await api.post(
      '/api/v1/token',
      { identity_provider: 'azuread', target: LONG, skip_cache: true },
      encoding,
    );
    expect(grants(CC)).toBe(before + 1);
    expect(decodeJwt(skipped.body.access_token).jti).not.toBe(decodeJwt(first.body.access_token).jti);
    const again = await api.post('/api/v1/token', { identity_provider: 'azuread', target: LONG }, encoding);
    expect(again.body.access_token).toBe(skipped.body.access_token);
    expect(grants(CC)).toBe(before + 1);
  });

  it('keeps a 100 s token for half its life: reused at 40 s, refetched after 50 s', async () => {
    const before = grants(CC);
    await api.post('/api/v1/token', { identity_provider: 'azuread', target: SHORT, skip_cache: true }, encoding);
    now += 40_000;
    await api.post('/api/v1/token', { identity_provider: 'azuread', target: SHORT }, encoding);
    expect(grants(CC)).toBe(before + 1);
    now += 11_000;
    await api.post('/api/v1/token', { identity_provider: 'azuread', target: SHORT }, encoding);
    expect(grants(CC)).toBe(before + 2);
  });

  it('makes one provider call for 20 identical requests at once', async () => {
    const userToken = await op.userToken(`concurrent-${encoding}`);
    const beforeCc = grants(CC);
    const beforeObo = grants(OBO);
    const tokens = await Promise.all(
      Array.from({ length: 20 }, () =>
        api.post('/api/v1/token', { identity_provider: 'azuread', target: SHORT, skip_cache: false }, encoding),
      ),
    );
    const exchanged = await Promise.all(
      Array.from({ length: 20 }, () =>
        api.post(
          '/api/v1/token/exchange',
          { identity_provider: 'azuread', target: LONG, user_token: userToken },
          encoding,
        ),
      ),
    );
    expect(grants(CC)).toBe(beforeCc + 1);
    expect(grants(OBO)).toBe(beforeObo + 1);
    expect(new Set(tokens.map((t) => t.body.access_token)).size).toBe(1);
    expect(new Set(exchanged.map((t) => t.status))).toEqual(new Set([200]));
    expect(new Set(exchanged.map((t) => t.body.access_token)).size).toBe(1);
  });

  it('keeps one exchanged token per user token and target', async () => {
    const alice = await op.userToken('alice');
    const bob = await op.userToken('bob');
    const before = grants(OBO);
    const forAlice = await api.post(
      '/api/v1/token/exchange',
      { identity_provider: 'azuread', target: LONG, user_token: alice },
      encoding,
    );
    const forBob = await api.post(
      '/api/v1/token/exchange',
      { identity_provider: 'azuread', target: LONG, user_token: bob },
      encoding,
    );
    const aliceShort = await api.post(
      '/api/v1/token/exchange',
      { identity_provider: 'azuread', target: SHORT, user_token: alice },
      encoding,
    );
    const aliceAgain = await api.post(
      '/api/v1/token/exchange',
      { identity_provider: 'azuread', target: LONG, user_token: alice },
      encoding,
    );
    expect(grants(OBO)).toBe(before + 3);
    expect(decodeJwt(forAlice.body.access_token).sub).toBe('alice');
    expect(decodeJwt(forBob.body.access_token).sub).toBe('bob');
    expect(decodeJwt(aliceShort.body.access_token).aud).toBe(TARGETS.short);
    expect(aliceAgain.body.access_token).toBe(forAlice.body.access_token);
  });

  it('keeps no failure: the next request asks the provider again', async () => {
    const target = `${TARGETS.long}/.default`;
    await api.post('/api/v1/token', { identity_provider: 'azuread', target, skip_cache: true }, encoding);
    op.fault = {
      status: 400,
      contentType: 'application/json',
      body: JSON.stringify({ error: 'invalid_scope', error_description: 'no' }),
    };
    const failed = await api.post(
      '/api/v1/token',
      { identity_provider: 'azuread', target, skip_cache: true },
      encoding,
    );
    expect(failed.status).toBe(400);
    const before = grants(CC);
    const next = await api.post('/api/v1/token', { identity_provider: 'azuread', target }, encoding);
    expect(next.status).toBe(200);
    expect(grants(CC)).toBe(before + 1);
  });
});
