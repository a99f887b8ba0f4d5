// A bearer user's identity headers follow the session rules of src/gate/identity-claims.ts:
// the subject is Entra's oid only for Entra tokens, and an email only one the provider vouches for.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { JWTPayload } from 'jose';
import { createBearerAuth, type BearerProviderMetadata } from '../../../src/authz/bearer/bearer-auth.js';
import type { BearerDecision } from '../../../src/authz/bearer/bearer-check.js';
import { loadBearerConfig } from '../../../src/config/bearer.js';
import type { HeaderTemplate } from '../../../src/config/config.js';
import { API_CLIENT_ID, APP_A, ROLE, startEntraTenants, T1, type EntraTenants } from '../../support/entra-tenants.js';

const POLICY = JSON.stringify({
  applications: [{ name: 'prod:team:app-a', clientId: APP_A }],
  appRoles: [ROLE],
  users: { allowAll: false, groups: ['g-api-users'], scopes: [] },
});
const ASSERT = [{ name: 'tid', anyOf: [T1] }];
const ENTRA_ISSUER = `https://login.microsoftonline.com/${T1}/v2.0`;
const HEADERS: HeaderTemplate[] = [
  { name: 'X-Department', value: '{{ .claims.org.department }}' },
  { name: 'X-Token', value: '{{ .accessToken }}' },
  { name: 'X-Id-Token', value: '[{{ .idToken }}]' },
];

let tenants: EntraTenants;
let metadata: BearerProviderMetadata;
beforeAll(async () => {
  tenants = await startEntraTenants();
  metadata = (await (
    await fetch(`${tenants.issuer(T1)}/.well-known/openid-configuration`)
  ).json()) as BearerProviderMetadata;
});
afterAll(() => tenants.close());

/** The bearer check accepting `issuer` (exact, or a `{tenantid}` template). */
function auth(issuer: string) {
  const { bearer, problems } = loadBearerConfig(
    { BEARER_AUTH: 'on', BEARER_ISSUERS: issuer, ACCESS_POLICY: POLICY },
    { clientId: API_CLIENT_ID, issuerUrl: new URL(tenants.issuer(T1)), allowInsecureHttp: true, assertClaims: ASSERT },
  );
  expect(problems).toEqual([]);
  return createBearerAuth({
    bearer,
    realm: 'app.test',
    clientId: API_CLIENT_ID,
    assertClaims: ASSERT,
    metadata,
    headers: HEADERS,
  });
}

const now = () => Math.floor(Date.now() / 1000);

/** A delegated access token for a user in the allowed group, signed with the tenants' published key. */
function userToken(iss: string, claims: JWTPayload): Promise<string> {
  return tenants.sign({
    iss,
    aud: API_CLIENT_ID,
    tid: T1,
    ver: '2.0',
    azp: APP_A,
    idtyp: 'user',
    scp: 'access_as_user',
    groups: ['g-api-users'],
    sub: 'pairwise-sub',
    oid: 'object-id',
    name: 'Mallory Meyer',
    iat: now(),
    exp: now() + 300,
    ...claims,
  });
}

async function headersOf(issuer: string, claims: JWTPayload): Promise<Readonly<Record<string, string>>> {
  const token = await userToken(issuer, claims);
  const decision: BearerDecision = await auth(issuer).check(`Bearer ${token}`, '/api/orders');
  if (decision.kind !== 'allow-user') throw new Error(`expected allow-user, got ${JSON.stringify(decision)}`);
  return decision.headers;
}

describe('bearer identity headers from a provider other than Entra', () => {
  it('keys the user on sub, not on an oid claim, and takes no preferred_username as email', async () => {
    const h = await headersOf(tenants.issuer(T1), { preferred_username: 'ceo@victim.test' });
    expect(h['X-Forwarded-Subject']).toBe('pairwise-sub');
    expect(h['X-Forwarded-User']).toBe('Mallory Meyer');
    expect(h['X-Forwarded-Email']).toBeUndefined();
  });

  it('passes email unless the provider marks it unverified', async () => {
    expect((await headersOf(tenants.issuer(T1), { email: 'm@example.test' }))['X-Forwarded-Email']).toBe(
      'm@example.test',
    );
    for (const unverified of [false, 'false']) {
      const h = await headersOf(tenants.issuer(T1), { email: 'm@example.test', email_verified: unverified });
      expect(h['X-Forwarded-Email']).toBeUndefined();
    }
  });
});

describe('bearer identity headers from Entra ID', () => {
  it('counts a token accepted through Entra’s {tenantid} issuer template as Entra’s', async () => {
    const token = await userToken(tenants.issuer(T1), { preferred_username: 'mallory@contoso.test' });
    const decision = await auth(tenants.issuerTemplate).check(`Bearer ${token}`, '/api/orders');
    expect(decision).toMatchObject({
      kind: 'allow-user',
      subject: 'object-id',
      headers: { 'X-Forwarded-Subject': 'object-id', 'X-Forwarded-Email': 'mallory@contoso.test' },
    });
  });

  it('keys the user on oid and takes a member’s preferred_username or upn as email', async () => {
    const h = await headersOf(ENTRA_ISSUER, { preferred_username: 'mallory@contoso.test' });
    expect(h['X-Forwarded-Subject']).toBe('object-id');
    expect(h['X-Forwarded-Email']).toBe('mallory@contoso.test');
    const v1Style = await headersOf(ENTRA_ISSUER, { upn: 'mallory@contoso.test' });
    expect(v1Style['X-Forwarded-Email']).toBe('mallory@contoso.test');
  });

  it('takes no email from a guest’s names, nor an email whose domain owner is not verified', async () => {
    const guest = await headersOf(ENTRA_ISSUER, {
      preferred_username: 'ceo@victim.test',
      idp: 'https://sts.windows.net/99999999-9999-4999-8999-999999999999/',
    });
    expect(guest['X-Forwarded-Email']).toBeUndefined();
    const external = await headersOf(ENTRA_ISSUER, { acct: 1, upn: 'ceo@victim.test' });
    expect(external['X-Forwarded-Email']).toBeUndefined();
    const unverifiedDomain = await headersOf(ENTRA_ISSUER, { email: 'ceo@victim.test', xms_edov: false });
    expect(unverifiedDomain['X-Forwarded-Email']).toBeUndefined();
  });
});

describe('HEADERS over a bearer token', () => {
  it('renders .claims from the token, .accessToken as the bearer token and .idToken empty', async () => {
    const token = await userToken(ENTRA_ISSUER, { org: { department: 'Finance' } });
    const decision = await auth(ENTRA_ISSUER).check(`Bearer ${token}`, '/api/orders');
    expect(decision).toMatchObject({
      kind: 'allow-user',
      headers: { 'X-Department': 'Finance', 'X-Token': token, 'X-Id-Token': '[]' },
    });
  });
});
