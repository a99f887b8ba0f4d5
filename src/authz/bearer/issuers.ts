/** The placeholder Entra uses for the tenant in multi-tenant issuers and in a JWK's `issuer` field. */
export const TENANT_PLACEHOLDER = '{tenantid}';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True when `value` is a tenant id as Entra writes it in `tid` (a GUID). */
export function isTenantId(value: unknown): boolean {
  return typeof value === 'string' && GUID.test(value);
}

/**
 * Whether one accepted issuer (exact, or a `{tenantid}` template) matches a token's
 * `iss`. A template matches only the issuer spelled with the token's own `tid`, and
 * only when that `tid` is in `tenants` (compared without case). With `tenants`
 * undefined, any GUID tenant is taken (used for a JWK's own `issuer` scope, where
 * the tenant allow-list was already applied to the token's issuer).
 */
export function issuerMatches(accepted: string, iss: string, tid: unknown, tenants?: ReadonlySet<string>): boolean {
  if (!accepted.includes(TENANT_PLACEHOLDER)) return accepted === iss;
  if (typeof tid !== 'string' || !isTenantId(tid)) return false;
  if (tenants !== undefined && !tenants.has(tid.toLowerCase())) return false;
  return accepted.split(TENANT_PLACEHOLDER).join(tid) === iss;
}

/** Entra's v2 issuer host; the matching v1 issuer is `https://sts.windows.net/<tid>/`. */
const ENTRA_V2 = /^https:\/\/login\.microsoftonline\.com\/([^/]+)\/v2\.0$/;
const V1_HOST = 'https://sts.windows.net/';

/** True when an issuer (exact or template) names Entra's v1 token service. */
export function isV1Issuer(issuer: string): boolean {
  return issuer.startsWith(V1_HOST);
}

/**
 * The v1 issuers that correspond to the accepted v2 issuers (Entra only): a
 * tenant's `https://login.microsoftonline.com/<tid>/v2.0` gives
 * `https://sts.windows.net/<tid>/`, the `{tenantid}` template gives the v1
 * template. Issuers of other providers have no v1 twin.
 */
export function v1IssuersFor(issuers: readonly string[]): string[] {
  const out = new Set<string>();
  for (const issuer of issuers) {
    const tenant = ENTRA_V2.exec(issuer)?.[1];
    if (tenant !== undefined && (isTenantId(tenant) || tenant === TENANT_PLACEHOLDER))
      out.add(`${V1_HOST}${tenant.toLowerCase()}/`);
    else if (tenant !== undefined && ['common', 'organizations'].includes(tenant.toLowerCase()))
      out.add(`${V1_HOST}${TENANT_PLACEHOLDER}/`);
  }
  return [...out];
}

/**
 * The issuers a bearer token may carry, from the discovered issuer (Entra's
 * multi-tenant metadata already says `…/{tenantid}/v2.0`) or `BEARER_ISSUERS`.
 */
export function acceptedIssuers(options: {
  discovered: string;
  configured: readonly string[] | undefined;
  acceptV1: boolean;
}): {
  issuers: string[];
  v1Issuers: string[];
} {
  const listed = options.configured && options.configured.length > 0 ? [...options.configured] : [options.discovered];
  const v2 = listed.filter((i) => !isV1Issuer(i));
  const v1 = options.acceptV1 ? [...new Set([...listed.filter(isV1Issuer), ...v1IssuersFor(v2)])] : [];
  return { issuers: v2, v1Issuers: v1 };
}
