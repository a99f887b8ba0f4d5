import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createBearerAuth, type BearerProviderMetadata } from '../../../src/authz/bearer/bearer-auth.js';
import type { BearerDecision } from '../../../src/authz/bearer/bearer-check.js';
import { createBearerValidator, type BearerValidator } from '../../../src/authz/bearer/bearer-validator.js';
import { acceptedIssuers } from '../../../src/authz/bearer/issuers.js';
import { loadBearerConfig } from '../../../src/config/bearer.js';
import {
  API_CLIENT_ID,
  APP_A,
  APP_B,
  APP_C,
  ROLE,
  startEntraTenants,
  T1,
  T2,
  type EntraTenants,
} from '../../support/entra-tenants.js';

const POLICY = JSON.stringify({
  applications: [
    { name: 'prod:team:app-a', clientId: APP_A },
    { name: 'prod:team:app-b', clientId: APP_B },
  ],
  appRoles: [ROLE],
  users: { allowAll: false, groups: ['g-api-users'], scopes: [] },
});
const ASSERT = [{ name: 'tid', anyOf: [T1] }];

let tenants: EntraTenants;
let metadata: BearerProviderMetadata;
beforeAll(async () => {
  tenants = await startEntraTenants();
  metadata = (await (
    await fetch(`${tenants.issuer(T1)}/.well-known/openid-configuration`)
  ).json()) as BearerProviderMetadata;
});
afterAll(() => tenants.close());

function auth(env: Record<string, string> = {}, extra: { validator?: BearerValidator; now?: () => number } = {}) {
  const { bearer, problems } = loadBearerConfig(
    {
      BEARER_AUTH: 'on',
      BEARER_ISSUERS: tenants.issuerTemplate,
      ACCESS_POLICY: POLICY,
      BEARER_ONLY_PATHS: '/api/',
      ...env,
    },
    { clientId: API_CLIENT_ID, issuerUrl: new URL(tenants.issuer(T1)), allowInsecureHttp: true, assertClaims: ASSERT },
  );
  expect(problems).toEqual([]);
  return createBearerAuth({
    bearer,
    realm: 'app.test',
    clientId: API_CLIENT_ID,
    assertClaims: ASSERT,
    metadata,
    headers: [{ name: 'X-Tenant', value: '{{ .claims.tid }}' }],
    validator: extra.validator,
    cache: { now: extra.now },
  });
}

const check = async (
  a: ReturnType<typeof auth>,
  token: string | undefined,
  uri = '/api/orders',
): Promise<BearerDecision> => a.check(token === undefined ? undefined : `Bearer ${token}`, uri);

describe('bearer check on real tenant tokens', () => {
  it('an allowed application gets its client id and policy name, and no user header', async () => {
    const d = await check(auth(), await tenants.appToken(T1, APP_A));
    expect(d).toEqual({
      kind: 'allow-app',
      clientId: APP_A,
      clientName: 'prod:team:app-a',
      headers: { 'X-Forwarded-Client-Id': APP_A, 'X-Forwarded-Client-Name': 'prod:team:app-a' },
    });
  });

  it('a listed application without the role is a policy denial (403), not an invalid token', async () => {
    const d = await check(auth(), await tenants.appToken(T1, APP_B));
    expect(d).toMatchObject({
      kind: 'refuse',
      status: 403,
      challenge: { realm: 'app.test', error: 'insufficient_scope', description: 'role required', scope: [ROLE] },
    });
  });

  it('an unlisted application is denied with 403', async () => {
    expect(await check(auth(), await tenants.appToken(T1, APP_C))).toMatchObject({
      status: 403,
      challenge: { error: 'insufficient_scope', description: 'client not allowed' },
    });
  });

  it('a token of a tenant outside the allow-list is an invalid token (401)', async () => {
    expect(await check(auth(), await tenants.appToken(T2, APP_A))).toMatchObject({
      status: 401,
      challenge: { error: 'invalid_token', description: 'issuer not accepted' },
    });
  });

  it('a user in the group gets user, email, subject and HEADERS from the access token', async () => {
    const d = await check(auth(), await tenants.userToken(T1, APP_A, 'alice'));
    expect(d).toEqual({
      kind: 'allow-user',
      clientId: APP_A,
      subject: 'oid-alice',
      headers: {
        'X-Forwarded-User': 'Alice Andersen',
        'X-Forwarded-Email': 'alice@example.test',
        'X-Forwarded-Subject': 'oid-alice',
        'X-Tenant': T1,
      },
    });
  });

  it('a user outside the groups, or with a groups overage, is denied with 403', async () => {
    expect(await check(auth(), await tenants.userToken(T1, APP_A, 'bob'))).toMatchObject({
      status: 403,
      challenge: { description: 'user not allowed' },
    });
    const olga = await check(auth(), await tenants.userToken(T1, APP_A, 'olga'));
    expect(olga).toMatchObject({ status: 403, log: { reason: expect.stringContaining('overage') } });
  });

  it('this app may act for a user; allowAll lets bob in; required scopes are enforced', async () => {
    expect(await check(auth(), await tenants.userToken(T1, API_CLIENT_ID, 'alice'))).toMatchObject({
      kind: 'allow-user',
    });
    const all = JSON.stringify({
      applications: [{ name: 'a', clientId: APP_A }],
      users: { allowAll: true, scopes: ['defaultaccess'] },
    });
    expect(
      await check(auth({ ACCESS_POLICY: all }), await tenants.userToken(T1, APP_A, 'bob', 'defaultaccess')),
    ).toMatchObject({
      kind: 'allow-user',
    });
    expect(await check(auth({ ACCESS_POLICY: all }), await tenants.userToken(T1, APP_A, 'bob'))).toMatchObject({
      status: 403,
      challenge: { description: 'scope required', scope: ['defaultaccess'] },
    });
  });

  it('an opaque or garbage token is 401 invalid_token', async () => {
    expect(await check(auth(), 'opaque-token-value')).toMatchObject({
      status: 401,
      challenge: { error: 'invalid_token', description: 'malformed token' },
    });
  });
});

describe('bearer check on the Authorization header and path', () => {
  it('a malformed Bearer header is 400 invalid_request, on any path', async () => {
    const a = auth();
    expect(await a.check('Bearer a b', '/')).toMatchObject({ status: 400, challenge: { error: 'invalid_request' } });
    expect(await a.check('Bearer', '/api/x')).toMatchObject({ status: 400 });
  });

  it('without credentials on a bearer-only path: 401 with only the realm', async () => {
    const a = auth();
    expect(await a.check(undefined, '/api/orders')).toEqual({
      kind: 'refuse',
      status: 401,
      challenge: { realm: 'app.test' },
      log: { reason: expect.any(String) },
    });
    expect(await a.check('Basic dTpw', '/api')).toMatchObject({ status: 401, challenge: { realm: 'app.test' } });
    expect(await a.check(undefined, '/api/x?access_token=abc')).toMatchObject({
      status: 400,
      challenge: { error: 'invalid_request' },
    });
  });

  it('without credentials elsewhere the cookie decides, synchronously', () => {
    const a = auth();
    expect(a.check(undefined, '/')).toEqual({ kind: 'pass' });
    expect(a.check('Basic dTpw', '/apix')).toEqual({ kind: 'pass' });
  });
});

describe('bearer check cache', () => {
  function counting(): { validator: BearerValidator; count: () => number } {
    const { issuers, v1Issuers } = acceptedIssuers({
      discovered: metadata.issuer,
      configured: [tenants.issuerTemplate],
      acceptV1: false,
    });
    const real = createBearerValidator({
      jwksUri: tenants.jwksUri(T1),
      issuers,
      v1Issuers,
      acceptV1: false,
      tenants: [T1],
      audiences: [API_CLIENT_ID],
      algorithms: ['RS256'],
      clockSkew: 60,
    });
    let n = 0;
    return {
      validator: {
        validate: (t) => {
          n += 1;
          return real.validate(t);
        },
      },
      count: () => n,
    };
  }

  it('a second check of the same token does no verification and is answered synchronously', async () => {
    const v = counting();
    const a = auth({}, { validator: v.validator });
    const token = await tenants.appToken(T1, APP_A);
    const first = await a.check(`Bearer ${token}`, '/api/x');
    const second = a.check(`Bearer ${token}`, '/api/y');
    expect(second).not.toBeInstanceOf(Promise);
    expect(second).toEqual(first);
    expect(v.count()).toBe(1);
    await a.check(`Bearer ${await tenants.appToken(T1, APP_B)}`, '/api/x');
    await a.check(`Bearer ${await tenants.appToken(T1, APP_B)}`, '/api/x');
    expect(v.count()).toBe(3);
  });

  it('policy denials of valid tokens are cached; invalid tokens are not', async () => {
    const v = counting();
    const a = auth({}, { validator: v.validator });
    const denied = await tenants.appToken(T1, APP_C);
    await a.check(`Bearer ${denied}`, '/');
    await a.check(`Bearer ${denied}`, '/');
    expect(v.count()).toBe(1);
    const foreign = await tenants.appToken(T2, APP_A);
    await a.check(`Bearer ${foreign}`, '/');
    await a.check(`Bearer ${foreign}`, '/');
    expect(v.count()).toBe(3);
  });

  it('a cached result never outlives its token: from its exp on the token is verified again', async () => {
    const v = counting();
    let clock = Date.now();
    const a = auth({}, { validator: v.validator, now: () => clock });
    const exp = Math.floor(Date.now() / 1000) + 20;
    const token = await tenants.sign({
      iss: tenants.issuer(T1),
      aud: API_CLIENT_ID,
      tid: T1,
      azp: APP_A,
      idtyp: 'app',
      roles: [ROLE],
      iat: exp - 30,
      exp,
    });
    expect(await a.check(`Bearer ${token}`, '/')).toMatchObject({ kind: 'allow-app' });
    clock = exp * 1000 - 1;
    expect(a.check(`Bearer ${token}`, '/')).toMatchObject({ kind: 'allow-app' });
    expect(v.count()).toBe(1);
    clock = exp * 1000;
    await a.check(`Bearer ${token}`, '/');
    expect(v.count()).toBe(2);
  });
});
