import { readFileSync } from 'node:fs';
import type { ClaimRule } from '../authz/claim-rules.js';
import { parseAccessPolicy, type AccessPolicy } from '../authz/bearer/access-policy.js';
import { bearerOnlyPathProblems } from '../authz/bearer/bearer-only-paths.js';
import { isTenantId, isV1Issuer, TENANT_PLACEHOLDER, v1IssuersFor } from '../authz/bearer/issuers.js';
import { EnvReader, type Env } from './env-reader.js';

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

/** The parts of the main configuration the bearer section depends on. */
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

/**
 * Reads the bearer variables into `r` (problems and warnings collected there, each
 * naming its variable). Call after the main section, with its values as `base`.
 */
export function readBearerConfig(r: EnvReader, base: BearerConfigBase): BearerConfig {
  const enabled = r.boolean('BEARER_AUTH', false);
  const listedAudiences = r.list('BEARER_AUDIENCES');
  const audiences =
    listedAudiences.length > 0 ? [...new Set(listedAudiences)] : [base.clientId, `api://${base.clientId}`];
  const listedIssuers = r.list('BEARER_ISSUERS');
  const issuers = listedIssuers.length > 0 ? [...new Set(listedIssuers)] : undefined;
  const acceptV1 = r.boolean('BEARER_ACCEPT_V1', false);
  const clockSkew = r.integer('BEARER_CLOCK_SKEW', 60, 0, 300);
  const onlyPaths = r.list('BEARER_ONLY_PATHS');
  const parsed = parseAccessPolicy(r.json('ACCESS_POLICY'), 'ACCESS_POLICY');
  const tenants = tenantAllowList(base.assertClaims);

  r.problems.push(...bearerOnlyPathProblems(onlyPaths, 'BEARER_ONLY_PATHS'), ...parsed.problems);
  if (issuers !== undefined) r.problems.push(...issuerProblems(issuers, base.allowInsecureHttp));
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
  if (
    enabled &&
    acceptV1 &&
    !issuers?.some(isV1Issuer) &&
    v1IssuersFor(issuers ?? [base.issuerUrl.href]).length === 0
  ) {
    r.warnings.push(
      'BEARER_ACCEPT_V1=true has no effect: the issuer is not Entra ID; list the v1 issuer in BEARER_ISSUERS',
    );
  }
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
  return { enabled, audiences, issuers, acceptV1, clockSkew, onlyPaths, accessPolicy: parsed.policy, tenants };
}

/** Reads the bearer section from an environment on its own: the section, and every problem and warning. */
export function loadBearerConfig(
  env: Env,
  base: BearerConfigBase,
  readFile: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): {
  bearer: BearerConfig;
  problems: string[];
  warnings: string[];
} {
  const r = new EnvReader(env, readFile);
  const bearer = readBearerConfig(r, base);
  return { bearer, problems: r.problems, warnings: r.warnings };
}
