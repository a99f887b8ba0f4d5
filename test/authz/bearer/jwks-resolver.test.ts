import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generateKeyPair, type CryptoKey, type JWTPayload } from 'jose';
import { createBearerValidator, type BearerValidatorOptions } from '../../../src/authz/bearer/bearer-validator.js';
import {
  API_CLIENT_ID,
  APP_A,
  ROLE,
  startEntraTenants,
  T1,
  T2,
  type EntraTenants,
} from '../../support/entra-tenants.js';

let tenants: EntraTenants;
let stranger: CryptoKey;
beforeAll(async () => {
  tenants = await startEntraTenants();
  ({ privateKey: stranger } = await generateKeyPair('RS256'));
});
afterAll(() => tenants.close());

const now = () => Math.floor(Date.now() / 1000);
const claims = (tid: string, extra: JWTPayload = {}): JWTPayload => ({
  iss: tenants.issuer(tid),
  aud: API_CLIENT_ID,
  tid,
  azp: APP_A,
  idtyp: 'app',
  roles: [ROLE],
  iat: now(),
  exp: now() + 300,
  ...extra,
});

function validator(overrides: Partial<BearerValidatorOptions> = {}) {
  return createBearerValidator({
    jwksUri: tenants.commonJwksUri,
    issuers: [tenants.issuerTemplate],
    v1Issuers: [],
    acceptV1: false,
    tenants: [T1, T2],
    audiences: [API_CLIENT_ID],
    algorithms: ['RS256'],
    clockSkew: 60,
    ...overrides,
  });
}

describe('remote key set under a flood of unknown keys', () => {
  it('200 tokens with unknown kids cost at most two key-set fetches, and valid tokens still pass', async () => {
    const v = validator();
    const before = tenants.jwksFetches();
    const forged = await Promise.all(
      Array.from({ length: 200 }, (_, i) => tenants.sign(claims(T1), { key: stranger, kid: `forged-${i}` })),
    );
    const results = await Promise.all(forged.map((t) => v.validate(t)));
    for (const t of forged.slice(0, 50)) results.push(await v.validate(t));
    expect(results.every((r) => !r.ok && r.reason === 'signature invalid')).toBe(true);
    expect(tenants.jwksFetches() - before).toBeGreaterThanOrEqual(1);
    expect(tenants.jwksFetches() - before).toBeLessThanOrEqual(2);
    expect(await v.validate(await tenants.sign(claims(T1)))).toMatchObject({ ok: true });
    expect(tenants.jwksFetches() - before).toBeLessThanOrEqual(2);
  });

  it('after the cooldown an unknown kid causes exactly one refetch', async () => {
    const v = validator({ jwks: { cooldownDuration: 200 } });
    await v.validate(await tenants.sign(claims(T1)));
    const before = tenants.jwksFetches();
    await new Promise((r) => setTimeout(r, 300));
    const forged = await Promise.all(
      Array.from({ length: 20 }, (_, i) => tenants.sign(claims(T1), { key: stranger, kid: `late-${i}` })),
    );
    await Promise.all(forged.map((t) => v.validate(t)));
    expect(tenants.jwksFetches() - before).toBe(1);
  });
});

describe('JWK issuer field (Entra common keys)', () => {
  it('the shared key, scoped to {tenantid}, verifies tokens of any allowed tenant', async () => {
    expect(await validator().validate(await tenants.sign(claims(T1)))).toMatchObject({ ok: true });
    expect(await validator().validate(await tenants.sign(claims(T2)))).toMatchObject({ ok: true });
  });

  it('a key scoped to T2 verifies T2 tokens only, never a token claiming T1', async () => {
    const key = { key: tenants.t2OnlyKey.privateKey, kid: tenants.t2OnlyKey.kid };
    expect(await validator().validate(await tenants.sign(claims(T2), key))).toMatchObject({ ok: true });
    expect(await validator().validate(await tenants.sign(claims(T1), key))).toMatchObject({
      ok: false,
      reason: 'signature invalid',
    });
  });

  it('the {tenantid} scope is filled with the token tid, not any tenant', async () => {
    const token = await tenants.sign(claims(T1, { tid: T2 }));
    expect(await validator().validate(token)).toMatchObject({ ok: false });
  });

  it('without a kid, a set of several keys verifies nothing', async () => {
    const v = validator();
    const token = await tenants.sign(claims(T1), { kid: null });
    expect(await v.validate(token)).toMatchObject({ ok: false, reason: 'signature invalid' });
    const single = validator({ jwksUri: tenants.jwksUri(T1) });
    expect(await single.validate(token)).toMatchObject({ ok: true });
  });
});
