import { describe, expect, it } from '@jest/globals';
import { parseAccessPolicy } from '../../../src/authz/bearer/access-policy.js';
import {
  callingClient,
  compileAccessPolicy,
  DENIAL_REASONS,
  tokenKind,
} from '../../../src/authz/bearer/policy-decision.js';
import { compileClaimRules } from '../../../src/authz/claim-rules.js';

const OWN = 'own-client';
function policy(json: unknown, assert: Parameters<typeof compileClaimRules>[0] = []) {
  const { policy: p, problems } = parseAccessPolicy(json);
  expect(problems).toEqual([]);
  return compileAccessPolicy(p, { ownClientId: OWN, assertClaims: compileClaimRules(assert) });
}
const base = { applications: [{ name: 'prod:team:app-a', clientId: 'app-a' }], users: { groups: ['g-ok'] } };
const app = (extra: Record<string, unknown> = {}) => ({
  idtyp: 'app',
  azp: 'app-a',
  roles: ['access_as_application'],
  ...extra,
});
const user = (extra: Record<string, unknown> = {}) => ({
  idtyp: 'user',
  azp: 'app-a',
  scp: 'access_as_user',
  groups: ['g-ok'],
  oid: 'u1',
  ...extra,
});

describe('token kind and calling client', () => {
  it('idtyp decides; without it, roles and no scp is an app', () => {
    expect(tokenKind({ idtyp: 'app', scp: 'x' })).toBe('app');
    expect(tokenKind({ idtyp: 'user', roles: ['r'] })).toBe('user');
    expect(tokenKind({ roles: ['r'] })).toBe('app');
    expect(tokenKind({ roles: ['r'], scp: 'x' })).toBe('user');
    expect(tokenKind({ scp: 'x' })).toBe('user');
  });

  it('reads azp, then appid (v1), then client_id', () => {
    expect(callingClient({ azp: 'a', appid: 'b' })).toBe('a');
    expect(callingClient({ appid: 'b', client_id: 'c' })).toBe('b');
    expect(callingClient({ client_id: 'c' })).toBe('c');
    expect(callingClient({})).toBeUndefined();
  });
});

describe('app-only tokens', () => {
  it('a listed application with the role passes, named by the policy', () => {
    expect(policy(base)(app())).toEqual({
      allowed: true,
      kind: 'app',
      clientId: 'app-a',
      clientName: 'prod:team:app-a',
    });
  });

  it('a listed application without the role is denied with the role it needs', () => {
    expect(policy(base)(app({ roles: undefined }))).toMatchObject({
      allowed: false,
      reason: DENIAL_REASONS.appRoleMissing,
      required: ['access_as_application'],
    });
    expect(policy(base)(app({ roles: ['other'] }))).toMatchObject({
      allowed: false,
      reason: DENIAL_REASONS.appRoleMissing,
    });
  });

  it('an unlisted application is denied even with the role (never on aud alone)', () => {
    expect(policy(base)(app({ azp: 'app-z' }))).toMatchObject({
      allowed: false,
      reason: DENIAL_REASONS.appNotListed,
      clientId: 'app-z',
    });
    expect(policy(base)(app({ azp: OWN }))).toMatchObject({ allowed: false, reason: DENIAL_REASONS.appNotListed });
  });

  it('a v1 token is matched on appid; the label never matches', () => {
    expect(policy(base)({ roles: ['access_as_application'], appid: 'app-a' })).toMatchObject({
      allowed: true,
      kind: 'app',
    });
    expect(policy(base)(app({ azp: 'prod:team:app-a' }))).toMatchObject({ allowed: false });
  });

  it('with appRoles empty, a listed application needs no role', () => {
    expect(policy({ ...base, appRoles: [] })(app({ roles: undefined }))).toMatchObject({ allowed: true });
  });

  it('ASSERT_CLAIMS does not apply to app tokens', () => {
    expect(policy(base, [{ name: 'groups', anyOf: ['g-ok'] }])(app())).toMatchObject({ allowed: true });
  });
});

describe('user tokens', () => {
  it('a user in a listed group, called through a listed client, passes', () => {
    expect(policy(base)(user())).toEqual({
      allowed: true,
      kind: 'user',
      clientId: 'app-a',
      clientName: 'prod:team:app-a',
    });
  });

  it('this app itself may call for a user', () => {
    expect(policy(base)(user({ azp: OWN }))).toMatchObject({ allowed: true, clientId: OWN, clientName: undefined });
  });

  it('an unlisted client acting for a user is denied', () => {
    expect(policy(base)(user({ azp: 'app-z' }))).toMatchObject({
      allowed: false,
      reason: DENIAL_REASONS.clientNotListed,
    });
  });

  it('a user in no listed group is denied; allowAll lets every user through', () => {
    expect(policy(base)(user({ groups: ['g-other'] }))).toMatchObject({
      allowed: false,
      reason: DENIAL_REASONS.groupMissing,
    });
    expect(policy(base)(user({ groups: undefined }))).toMatchObject({
      allowed: false,
      reason: DENIAL_REASONS.groupMissing,
    });
    expect(policy({ ...base, users: { allowAll: true } })(user({ groups: undefined }))).toMatchObject({
      allowed: true,
    });
  });

  it('a groups overage is denied with a reason that says so, unless allowAll', () => {
    const overage = user({ groups: undefined, _claim_names: { groups: 'src1' } });
    expect(policy(base)(overage)).toMatchObject({ allowed: false, reason: DENIAL_REASONS.groupsOverage });
    expect(DENIAL_REASONS.groupsOverage).toMatch(/overage/);
    expect(policy({ ...base, users: { allowAll: true } })(overage)).toMatchObject({ allowed: true });
  });

  it('required scopes: scp needs one of them, read as space-separated words', () => {
    const p = policy({ ...base, users: { groups: ['g-ok'], scopes: ['api.write'] } });
    expect(p(user({ scp: 'api.read api.write' }))).toMatchObject({ allowed: true });
    expect(p(user({ scp: 'api.read' }))).toMatchObject({
      allowed: false,
      reason: DENIAL_REASONS.scopeMissing,
      required: ['api.write'],
    });
    expect(p(user({ scp: 'api.writer' }))).toMatchObject({ allowed: false });
  });

  it('ASSERT_CLAIMS applies to user tokens, with scp split into words', () => {
    expect(policy(base, [{ name: 'tid', anyOf: ['t1'] }])(user({ tid: 't2' }))).toMatchObject({
      allowed: false,
      reason: DENIAL_REASONS.assertClaims,
    });
    expect(policy(base, [{ name: 'tid', anyOf: ['t1'] }])(user({ tid: 't1' }))).toMatchObject({ allowed: true });
    expect(
      policy(base, [{ name: 'scp', allOf: ['access_as_user'] }])(user({ scp: 'openid access_as_user' })),
    ).toMatchObject({
      allowed: true,
    });
  });

  it('the default policy lets nobody through', () => {
    const p = policy(undefined);
    expect(p(app())).toMatchObject({ allowed: false });
    expect(p(user({ azp: OWN }))).toMatchObject({ allowed: false });
  });

  it('a token naming no client is denied', () => {
    expect(policy(base)(user({ azp: undefined }))).toMatchObject({ allowed: false, reason: DENIAL_REASONS.noClient });
  });
});
