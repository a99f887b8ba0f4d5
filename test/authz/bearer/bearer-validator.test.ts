import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import {
  createBearerValidator,
  acceptedAlgorithms,
  type BearerValidatorOptions,
} from '../../../src/authz/bearer/bearer-validator.js';
import {
  API_CLIENT_ID,
  APP_A,
  APP_B,
  APP_ID_URI_RESOURCE,
  ROLE,
  SECRET,
  startEntraTenants,
  T1,
  T2,
  type EntraTenants,
} from '../../support/entra-tenants.js';

let tenants: EntraTenants;
beforeAll(async () => {
  tenants = await startEntraTenants();
});
afterAll(() => tenants.close());

const now = () => Math.floor(Date.now() / 1000);

function validator(overrides: Partial<BearerValidatorOptions> = {}) {
  return createBearerValidator({
    jwksUri: tenants.jwksUri(T1),
    issuers: [tenants.issuerTemplate],
    v1Issuers: [`${tenants.origin}/sts/{tenantid}/`],
    acceptV1: false,
    tenants: [T1],
    audiences: [API_CLIENT_ID, `api://${API_CLIENT_ID}`],
    algorithms: ['RS256'],
    clockSkew: 60,
    ...overrides,
  });
}

/** An app-only access token as tenant T1 would sign it, with `overrides` applied. */
function appClaims(overrides: JWTPayload = {}): JWTPayload {
  return {
    iss: tenants.issuer(T1),
    aud: API_CLIENT_ID,
    tid: T1,
    ver: '2.0',
    azp: APP_A,
    idtyp: 'app',
    roles: [ROLE],
    sub: APP_A,
    iat: now(),
    exp: now() + 300,
    ...overrides,
  };
}

describe('bearer validator on tokens the tenants mint', () => {
  it('accepts an app token of an allowed tenant and returns its verified claims', async () => {
    const result = await validator().validate(await tenants.appToken(T1, APP_A));
    expect(result).toMatchObject({
      ok: true,
      version: 'v2',
      claims: { azp: APP_A, tid: T1, roles: [ROLE], aud: API_CLIENT_ID },
    });
  });

  it('accepts the App ID URI audience api://<client id> by default', async () => {
    const result = await validator().validate(await tenants.appToken(T1, APP_B, APP_ID_URI_RESOURCE));
    expect(result).toMatchObject({ ok: true, claims: { aud: `api://${API_CLIENT_ID}` } });
  });

  it('refuses a token of a tenant outside the allow-list, and accepts it once the tenant is listed', async () => {
    const token = await tenants.appToken(T2, APP_A);
    expect(await validator().validate(token)).toMatchObject({ ok: false, reason: 'issuer not accepted' });
    expect(await validator({ tenants: [T1, T2.toUpperCase()] }).validate(token)).toMatchObject({ ok: true });
  });

  it('refuses a token minted for another API', async () => {
    const token = await tenants.appToken(T1, APP_A, 'api://some-other-api');
    expect(await validator().validate(token)).toMatchObject({ ok: false, reason: 'audience not accepted' });
  });

  it('accepts a user token (scp) and keeps its claims', async () => {
    const result = await validator().validate(await tenants.userToken(T1, APP_A, 'alice'));
    expect(result).toMatchObject({
      ok: true,
      claims: { scp: 'access_as_user', idtyp: 'user', groups: ['g-api-users'] },
    });
  });
});

describe('bearer validator on forged and foreign tokens', () => {
  it('refuses an expired token, but honours the clock skew', async () => {
    expect(await validator().validate(await tenants.sign(appClaims({ exp: now() - 120 })))).toMatchObject({
      ok: false,
      reason: 'expired',
    });
    expect(await validator().validate(await tenants.sign(appClaims({ exp: now() - 30 })))).toMatchObject({ ok: true });
    expect(
      await validator({ clockSkew: 0 }).validate(await tenants.sign(appClaims({ exp: now() - 30 }))),
    ).toMatchObject({
      ok: false,
      reason: 'expired',
    });
  });

  it('refuses nbf and iat beyond the skew, accepts them within it', async () => {
    expect(await validator().validate(await tenants.sign(appClaims({ nbf: now() + 120 })))).toMatchObject({
      ok: false,
      reason: 'not yet valid',
    });
    expect(await validator().validate(await tenants.sign(appClaims({ iat: now() + 120 })))).toMatchObject({
      ok: false,
      reason: 'not yet valid',
    });
    expect(
      await validator().validate(await tenants.sign(appClaims({ nbf: now() + 30, iat: now() + 30 }))),
    ).toMatchObject({ ok: true });
  });

  it('refuses a token without exp', async () => {
    expect(await validator().validate(await tenants.sign(appClaims({ exp: undefined })))).toMatchObject({ ok: false });
  });

  it('refuses a foreign issuer even when signed with the right key', async () => {
    const token = await tenants.sign(appClaims({ iss: 'https://evil.example/v2.0' }));
    expect(await validator().validate(token)).toMatchObject({ ok: false, reason: 'issuer not accepted' });
  });

  it('refuses a tenant template filled with a tid other than the token claims', async () => {
    const token = await tenants.sign(appClaims({ iss: tenants.issuer(T1), tid: T2 }));
    expect(await validator({ tenants: [T1, T2] }).validate(token)).toMatchObject({
      ok: false,
      reason: 'issuer not accepted',
    });
  });

  it('refuses alg none and HS256 signed with a client secret', async () => {
    const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const none = `${b64({ alg: 'none' })}.${b64(appClaims())}.`;
    const hs = await new SignJWT(appClaims())
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(SECRET));
    expect(await validator().validate(none)).toMatchObject({ ok: false, reason: 'algorithm not accepted' });
    expect(await validator().validate(hs)).toMatchObject({ ok: false, reason: 'algorithm not accepted' });
    expect(await validator({ algorithms: ['RS256', 'HS256', 'none'] }).validate(hs)).toMatchObject({
      ok: false,
      reason: 'algorithm not accepted',
    });
  });

  it('refuses a token signed by a key that is not in the JWKS, and a tampered payload', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    expect(
      await validator().validate(await tenants.sign(appClaims(), { key: privateKey, kid: 'not-published' })),
    ).toMatchObject({
      ok: false,
      reason: 'signature invalid',
    });
    expect(await validator().validate(await tenants.sign(appClaims(), { key: privateKey }))).toMatchObject({
      ok: false,
      reason: 'signature invalid',
    });
    const [h, , s] = (await tenants.appToken(T1, APP_B)).split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify(appClaims({ azp: APP_A }))).toString('base64url')}.${s}`;
    expect(await validator().validate(forged)).toMatchObject({ ok: false, reason: 'signature invalid' });
  });

  it('refuses an id_token presented as bearer, even one carrying roles', async () => {
    const idToken = await tenants.sign(
      {
        iss: tenants.issuer(T1),
        aud: API_CLIENT_ID,
        tid: T1,
        sub: 'alice',
        nonce: 'n-1',
        roles: ['admin'],
        iat: now(),
        exp: now() + 300,
      },
      { typ: 'JWT' },
    );
    expect(await validator().validate(idToken)).toMatchObject({ ok: false, reason: 'not an access token' });
    const plain = await tenants.sign({
      iss: tenants.issuer(T1),
      aud: API_CLIENT_ID,
      tid: T1,
      sub: 'alice',
      iat: now(),
      exp: now() + 300,
    });
    expect(await validator().validate(plain)).toMatchObject({ ok: false, reason: 'not an access token' });
  });

  it('refuses a logout token presented as bearer, with or without its typ', async () => {
    const claims = {
      iss: tenants.issuer(T1),
      aud: API_CLIENT_ID,
      tid: T1,
      sub: 'alice',
      sid: 's',
      jti: 'j',
      events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
      iat: now(),
      exp: now() + 120,
    };
    expect(await validator().validate(await tenants.sign(claims, { typ: 'logout+jwt' }))).toMatchObject({
      ok: false,
      reason: 'not an access token',
    });
    expect(await validator().validate(await tenants.sign({ ...claims, roles: [ROLE] }))).toMatchObject({
      ok: false,
      reason: 'not an access token',
    });
  });

  it('accepts Entra v1 tokens only when BEARER_ACCEPT_V1 is on', async () => {
    const v1 = await tenants.sign({
      iss: `${tenants.origin}/sts/${T1}/`,
      aud: `api://${API_CLIENT_ID}`,
      tid: T1,
      ver: '1.0',
      appid: APP_A,
      idtyp: 'app',
      roles: [ROLE],
      iat: now(),
      exp: now() + 300,
    });
    expect(await validator().validate(v1)).toMatchObject({ ok: false, reason: 'issuer not accepted' });
    expect(await validator({ acceptV1: true }).validate(v1)).toMatchObject({
      ok: true,
      version: 'v1',
      claims: { appid: APP_A },
    });
    const v1AtV2Issuer = await tenants.sign(appClaims({ ver: '1.0' }));
    expect(await validator().validate(v1AtV2Issuer)).toMatchObject({ ok: false, reason: 'issuer not accepted' });
  });

  it('names a malformed token and an unreachable key set without throwing', async () => {
    expect(await validator().validate('not-a-jwt')).toMatchObject({ ok: false, reason: 'malformed token' });
    expect(await validator().validate('a.b.c')).toMatchObject({ ok: false, reason: 'malformed token' });
    const offline = validator({ jwksUri: new URL(`${tenants.origin}/missing/jwks`) });
    expect(await offline.validate(await tenants.appToken(T1, APP_A))).toMatchObject({
      ok: false,
      reason: 'keys unavailable',
    });
  });
});

describe('acceptedAlgorithms', () => {
  it('keeps only asymmetric algorithms from the metadata, RS256 when none', () => {
    expect(
      acceptedAlgorithms({ id_token_signing_alg_values_supported: ['none', 'HS256', 'RS256', 'ES256', 'PS384'] }),
    ).toEqual(['RS256', 'ES256', 'PS384']);
    expect(acceptedAlgorithms({ id_token_signing_alg_values_supported: ['HS256'] })).toEqual(['RS256']);
    expect(acceptedAlgorithms({})).toEqual(['RS256']);
  });
});
