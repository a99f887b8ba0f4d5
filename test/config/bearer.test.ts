import { describe, expect, it } from '@jest/globals';
import { DEFAULT_ACCESS_POLICY } from '../../src/authz/bearer/access-policy.js';
import { acceptedIssuers } from '../../src/authz/bearer/issuers.js';
import { loadBearerConfig, type BearerConfigBase } from '../../src/config/bearer.js';

const TID = '11111111-1111-4111-8111-111111111111';
const base: BearerConfigBase = {
  clientId: 'cid',
  issuerUrl: new URL(`https://login.microsoftonline.com/${TID}/v2.0`),
  allowInsecureHttp: false,
  assertClaims: [],
};
const load = (env: Record<string, string>, b: Partial<BearerConfigBase> = {}) =>
  loadBearerConfig(env, { ...base, ...b });

describe('bearer configuration', () => {
  it('has documented defaults: off, client id audiences, 60 s skew, no paths, the deny-all policy', () => {
    const { bearer, problems, warnings } = load({});
    expect(problems).toEqual([]);
    expect(warnings).toEqual([]);
    expect(bearer).toEqual({
      enabled: false,
      audiences: ['cid', 'api://cid'],
      issuers: undefined,
      acceptV1: false,
      clockSkew: 60,
      onlyPaths: [],
      accessPolicy: DEFAULT_ACCESS_POLICY,
      tenants: [],
    });
  });

  it('reads every variable', () => {
    const { bearer, problems } = load({
      BEARER_AUTH: 'on',
      BEARER_AUDIENCES: 'a, api://a',
      BEARER_ACCEPT_V1: 'true',
      BEARER_CLOCK_SKEW: '30',
      BEARER_ONLY_PATHS: '/api/,/internal',
      ACCESS_POLICY: '{"applications":[{"name":"c:n:a","clientId":"x"}]}',
      BEARER_ISSUERS: `https://login.microsoftonline.com/${TID}/v2.0`,
    });
    expect(problems).toEqual([]);
    expect(bearer).toMatchObject({
      enabled: true,
      audiences: ['a', 'api://a'],
      acceptV1: true,
      clockSkew: 30,
      onlyPaths: ['/api/', '/internal'],
      issuers: [`https://login.microsoftonline.com/${TID}/v2.0`],
    });
    expect(bearer.accessPolicy.applications).toEqual([{ name: 'c:n:a', clientId: 'x' }]);
  });

  it('collects every problem, each naming its variable', () => {
    const { problems } = load({
      BEARER_AUTH: 'maybe',
      BEARER_CLOCK_SKEW: '-1',
      BEARER_ONLY_PATHS: 'api',
      ACCESS_POLICY: '{bad',
      BEARER_ACCEPT_V1: 'sure',
      BEARER_ISSUERS: 'ftp://x',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^BEARER_AUTH /),
        expect.stringMatching(/^BEARER_CLOCK_SKEW /),
        expect.stringMatching(/^BEARER_ONLY_PATHS: /),
        expect.stringMatching(/^ACCESS_POLICY is not valid JSON/),
        expect.stringMatching(/^BEARER_ACCEPT_V1 /),
        expect.stringMatching(/^BEARER_ISSUERS: /),
      ]),
    );
    expect(load({ BEARER_AUTH: 'on', ACCESS_POLICY: '{"applications":[{"name":"a"}]}' }).problems).toEqual([
      expect.stringContaining('ACCESS_POLICY.applications[0].clientId'),
    ]);
  });

  it('a {tenantid} issuer needs the tid allow-list of ASSERT_CLAIMS', () => {
    const multi = { issuerUrl: new URL('https://login.microsoftonline.com/organizations/v2.0') };
    expect(load({ BEARER_AUTH: 'on' }, multi).problems).toEqual([
      expect.stringMatching(/^OIDC_ISSUER_URL .*ASSERT_CLAIMS rule on tid/),
    ]);
    expect(load({ BEARER_AUTH: 'on', BEARER_ISSUERS: 'https://idp.example/{tenantid}/v2.0' }).problems).toEqual([
      expect.stringMatching(/^BEARER_ISSUERS .*tid/),
    ]);
    const ok = load(
      { BEARER_AUTH: 'on' },
      { ...multi, assertClaims: [{ name: 'tid', anyOf: [TID.toUpperCase(), 'not-a-guid'] }] },
    );
    expect(ok.problems).toEqual([]);
    expect(ok.bearer.tenants).toEqual([TID]);
  });

  it('a v1 issuer needs BEARER_ACCEPT_V1; BEARER_ONLY_PATHS needs BEARER_AUTH', () => {
    expect(load({ BEARER_AUTH: 'on', BEARER_ISSUERS: `https://sts.windows.net/${TID}/` }).problems).toEqual([
      expect.stringContaining('BEARER_ACCEPT_V1=true'),
    ]);
    expect(load({ BEARER_ONLY_PATHS: '/api/' }).problems).toEqual(['BEARER_ONLY_PATHS requires BEARER_AUTH=on']);
  });

  it('warns about settings without effect and about the deny-all default policy', () => {
    expect(load({ ACCESS_POLICY: '{}' }).warnings).toEqual(['ACCESS_POLICY has no effect without BEARER_AUTH=on']);
    expect(load({ BEARER_AUTH: 'on' }).warnings).toEqual([expect.stringContaining('without ACCESS_POLICY')]);
    expect(
      load(
        { BEARER_AUTH: 'on', ACCESS_POLICY: '{}', BEARER_ACCEPT_V1: 'true' },
        { issuerUrl: new URL('https://idp.example') },
      ).warnings,
    ).toEqual([expect.stringContaining('BEARER_ACCEPT_V1=true has no effect')]);
  });
});

describe('accepted issuers', () => {
  it('default to the discovered issuer; v1 twins of Entra issuers only with acceptV1', () => {
    const discovered = `https://login.microsoftonline.com/${TID}/v2.0`;
    expect(acceptedIssuers({ discovered, configured: undefined, acceptV1: false })).toEqual({
      issuers: [discovered],
      v1Issuers: [],
    });
    expect(acceptedIssuers({ discovered, configured: undefined, acceptV1: true })).toEqual({
      issuers: [discovered],
      v1Issuers: [`https://sts.windows.net/${TID}/`],
    });
    expect(
      acceptedIssuers({
        discovered: 'https://login.microsoftonline.com/{tenantid}/v2.0',
        configured: [],
        acceptV1: true,
      }).v1Issuers,
    ).toEqual(['https://sts.windows.net/{tenantid}/']);
    expect(
      acceptedIssuers({ discovered: 'https://idp.example', configured: undefined, acceptV1: true }).v1Issuers,
    ).toEqual([]);
  });
});
