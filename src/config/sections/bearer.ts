import type { ClaimRule } from '../../authz/claim-rules.js';
import { parseAccessPolicy, type AccessPolicy } from '../../authz/bearer/access-policy.js';
import { bearerOnlyPathProblems } from '../../authz/bearer/bearer-only-paths.js';
import { isTenantId, isV1Issuer, TENANT_PLACEHOLDER, v1IssuersFor } from '../../authz/bearer/issuers.js';
import { defineSection, v } from '../declare.js';
import type { EnvReader } from '../env-reader.js';

/** API protection with bearer tokens (docs/api-protection.md). */
export interface BearerConfig {
  /** `BEARER_AUTH`: `on` decides a request with `Authorization: Bearer <JWT>` by that token alone. Default `off`. */
  readonly enabled: boolean;
  /** `BEARER_AUDIENCES`: accepted `aud` values (any one). Default `<OIDC_CLIENT_ID>,api://<OIDC_CLIENT_ID>`. */
  readonly audiences: readonly string[];
  /** `BEARER_ISSUERS`: accepted issuers, exact or with `{tenantid}`. Default: the provider's discovered issuer. */
  readonly issuers: readonly string[] | undefined;
  /** `BEARER_ACCEPT_V1`: also accept Entra v1 tokens (`https://sts.windows.net/<tid>/`, `appid`). Default false. */
  readonly acceptV1: boolean;
  /** `BEARER_CLOCK_SKEW`: seconds of leeway on `exp`, `nbf` and `iat`. Default 60. */
  readonly clockSkew: number;
  /** `BEARER_ONLY_PATHS`: path prefixes (segment boundary) that never redirect and accept only bearer tokens. Default none. */
  readonly onlyPaths: readonly string[];
  /** `ACCESS_POLICY`: the inbound policy (JSON). Default: no application and no user is allowed. */
  readonly accessPolicy: AccessPolicy;
  /** The tenants a `{tenantid}` issuer may take: the `tid` values of the `ASSERT_CLAIMS` rule on `tid`. */
  readonly tenants: readonly string[];
}

/** The section's part of `Config`. */
export interface BearerSectionConfig {
  /** The `BEARER_*` variables and `ACCESS_POLICY`. */
  readonly bearer: BearerConfig;
}

/** The parts of the earlier sections the bearer section depends on. */
export interface BearerConfigBase {
  /** `OIDC_CLIENT_ID`: this app, the default audience. */
  readonly clientId: string;
  /** The configured issuer (`OIDC_ISSUER_URL` or from `AZURE_TENANT_ID`). */
  readonly issuerUrl: URL;
  /** `OIDC_ALLOW_INSECURE_HTTP`: also accept `http://` issuers in `BEARER_ISSUERS`. */
  readonly allowInsecureHttp: boolean;
  /** `ASSERT_CLAIMS`: its `tid` rule is the tenant allow-list. */
  readonly assertClaims: readonly ClaimRule[];
}

const ENTRA_MULTI = /^\/(common|organizations|consumers|\{tenantid\}|%7btenantid%7d)\//i;

function tenantAllowList(rules: readonly ClaimRule[]): string[] {
  const tids = rules
    .filter((rule) => rule.name === 'tid')
    .flatMap((rule) => ('anyOf' in rule ? rule.anyOf : rule.allOf));
  return [...new Set(tids.filter((t) => isTenantId(t)).map((t) => t.toLowerCase()))];
}

function issuerProblems(issuers: readonly string[], allowInsecureHttp: boolean): string[] {
  return issuers.flatMap((issuer) => {
    let url: URL;
    try {
      url = new URL(issuer.split(TENANT_PLACEHOLDER).join('00000000-0000-0000-0000-000000000000'));
    } catch {
      return [`BEARER_ISSUERS: "${issuer}" is not a URL`];
    }
    if (url.protocol === 'https:' || (url.protocol === 'http:' && allowInsecureHttp)) return [];
    return [`BEARER_ISSUERS: "${issuer}" must use https${allowInsecureHttp ? ' or http' : ''}`];
  });
}

/** Problems and warnings that join the bearer variables with each other and with the earlier sections. */
function joinRules(bearer: BearerConfig, r: EnvReader, base: BearerConfigBase): void {
  const { enabled, issuers, acceptV1, onlyPaths, tenants } = bearer;
  const templated =
    issuers?.some((i) => i.includes(TENANT_PLACEHOLDER)) ??
    (base.issuerUrl.hostname === 'login.microsoftonline.com' && ENTRA_MULTI.test(base.issuerUrl.pathname));
  if (enabled && templated && tenants.length === 0) {
    r.problems.push(
      `${issuers ? 'BEARER_ISSUERS' : 'OIDC_ISSUER_URL'} accepts tokens of every tenant ({tenantid}): add an ASSERT_CLAIMS rule on tid listing the tenant ids you accept, e.g. [{"name":"tid","anyOf":["<tenant id>"]}]`,
    );
  }
  if (issuers?.some(isV1Issuer) && !acceptV1)
    r.problems.push(
      'BEARER_ISSUERS lists an Entra v1 issuer (https://sts.windows.net/…): set BEARER_ACCEPT_V1=true to accept v1 tokens',
    );
  if (enabled && acceptV1 && !issuers?.some(isV1Issuer) && v1IssuersFor(issuers ?? [base.issuerUrl.href]).length === 0)
    r.warnings.push(
      'BEARER_ACCEPT_V1=true has no effect: the issuer is not Entra ID; list the v1 issuer in BEARER_ISSUERS',
    );
  if (onlyPaths.length > 0 && !enabled) r.problems.push('BEARER_ONLY_PATHS requires BEARER_AUTH=on');
  if (!enabled) {
    const ignored = [
      'BEARER_AUDIENCES',
      'BEARER_ISSUERS',
      'BEARER_ACCEPT_V1',
      'BEARER_CLOCK_SKEW',
      'ACCESS_POLICY',
    ].filter((n) => r.raw(n) !== undefined);
    if (ignored.length > 0)
      r.warnings.push(`${ignored.join(', ')} ${ignored.length > 1 ? 'have' : 'has'} no effect without BEARER_AUTH=on`);
  } else if (r.raw('ACCESS_POLICY') === undefined) {
    r.warnings.push(
      'BEARER_AUTH=on without ACCESS_POLICY: every valid bearer token is refused with 403 until applications or users are allowed',
    );
  }
}

/** `BEARER_*` and `ACCESS_POLICY`; read after the oidc and authz sections, whose client id, issuer and `tid` rule it uses. */
export const bearerSection = defineSection({
  name: 'bearer',
  variables: {
    enabled: v.boolean('BEARER_AUTH', false, {
      default: 'off',
      doc: 'on: a request with Authorization: Bearer <JWT> is decided by that token alone (never the cookie).',
    }),
    audiences: v.list('BEARER_AUDIENCES', {
      default: '<OIDC_CLIENT_ID>,api://<OIDC_CLIENT_ID>',
      doc: 'Accepted aud values of bearer tokens, separated by commas; a token needs one of them.',
    }),
    issuers: v.list('BEARER_ISSUERS', {
      doc: 'Accepted bearer token issuers, exact or with {tenantid}; default the provider’s issuer.',
    }),
    acceptV1: v.boolean('BEARER_ACCEPT_V1', false, {
      doc: 'Also accept Entra v1 access tokens (iss https://sts.windows.net/<tid>/, client in appid).',
    }),
    clockSkew: v.integer('BEARER_CLOCK_SKEW', 60, 0, 300, {
      doc: 'Seconds of leeway on a bearer token’s exp, nbf and iat.',
    }),
    onlyPaths: v.list('BEARER_ONLY_PATHS', {
      doc: 'Path prefixes (segment boundary) where only bearer tokens count: 401, never a login redirect.',
    }),
    accessPolicy: v.json('ACCESS_POLICY', {
      doc: 'JSON inbound policy for bearer tokens: applications (clientId), appRoles, users (allowAll, groups, scopes).',
    }),
  },
  build(values, r, base: BearerConfigBase): BearerSectionConfig {
    const audiences =
      values.audiences.length > 0 ? [...new Set(values.audiences)] : [base.clientId, `api://${base.clientId}`];
    const issuers = values.issuers.length > 0 ? [...new Set(values.issuers)] : undefined;
    const parsed = parseAccessPolicy(values.accessPolicy, 'ACCESS_POLICY');
    r.problems.push(...bearerOnlyPathProblems(values.onlyPaths, 'BEARER_ONLY_PATHS'), ...parsed.problems);
    if (issuers !== undefined) r.problems.push(...issuerProblems(issuers, base.allowInsecureHttp));
    const bearer: BearerConfig = {
      enabled: values.enabled,
      audiences,
      issuers,
      acceptV1: values.acceptV1,
      clockSkew: values.clockSkew,
      onlyPaths: values.onlyPaths,
      accessPolicy: parsed.policy,
      tenants: tenantAllowList(base.assertClaims),
    };
    joinRules(bearer, r, base);
    return { bearer };
  },
});
