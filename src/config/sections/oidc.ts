import { defineSection, v } from '../declare.js';
import type { EnvReader } from '../env-reader.js';
import { readClientAuth, type ClientAuthConfig } from '../client-auth.js';

/** The provider and the client registered at it. */
export interface OidcConfig {
  /** `OIDC_ISSUER_URL`, or derived from `AZURE_TENANT_ID` as `https://login.microsoftonline.com/<id>/v2.0`. */
  readonly issuerUrl: URL;
  /** `OIDC_CLIENT_ID` / `OIDC_CLIENT_ID_FILE`: the client registered at the provider. Required. */
  readonly clientId: string;
  /**
   * `OIDC_CLIENT_SECRET` / `OIDC_CLIENT_SECRET_FILE`: the client's secret. Required unless
   * `OIDC_CLIENT_JWK_FILE` or `OIDC_CLIENT_ASSERTION_FILE` is set; undefined then.
   */
  readonly clientSecret: string | undefined;
  /** How the client authenticates at the token endpoint, for every grant (see `./client-auth.ts`). */
  readonly clientAuth: ClientAuthConfig;
  /** `OIDC_SCOPES`: space- or comma-separated scopes. Default `openid profile email`; `openid` is always added. */
  readonly scopes: readonly string[];
  /** `OIDC_ALLOW_INSECURE_HTTP`: accept an `http://` issuer (development and tests only). Default false. */
  readonly allowInsecureHttp: boolean;
}

const DEFAULT_SCOPES = ['openid', 'profile', 'email'];

/** Entra's `common`, `organizations` and `consumers` endpoints (and `{tenantid}` templates) accept any tenant. */
export function isMultiTenant(issuer: URL): boolean {
  if (issuer.hostname !== 'login.microsoftonline.com') return false;
  const tenant = decodeURIComponent(issuer.pathname.split('/')[1] ?? '').toLowerCase();
  return ['common', 'organizations', 'consumers', '{tenantid}'].includes(tenant);
}

function issuer(r: EnvReader, url: string | undefined, tenant: string | undefined, allowInsecureHttp: boolean): URL {
  if (url !== undefined && tenant !== undefined)
    r.problems.push('OIDC_ISSUER_URL and AZURE_TENANT_ID are both set; set only one');
  if (tenant !== undefined && !/^[0-9a-zA-Z.-]+$/.test(tenant))
    r.problems.push(`AZURE_TENANT_ID must be a tenant id or domain (got "${tenant}")`);
  const value = url ?? (tenant !== undefined ? `https://login.microsoftonline.com/${tenant}/v2.0` : undefined);
  r.required('OIDC_ISSUER_URL', value, 'set OIDC_ISSUER_URL, or AZURE_TENANT_ID for Entra ID');
  const parsed = r.url('OIDC_ISSUER_URL', value, allowInsecureHttp ? ['https', 'http'] : ['https']);
  if (parsed?.protocol === 'http:')
    r.warnings.push('OIDC_ALLOW_INSECURE_HTTP: accepting an http:// issuer; never do this in production');
  if (value !== undefined && parsed === undefined && value.startsWith('http:')) {
    r.problems.push('OIDC_ISSUER_URL uses http://; set OIDC_ALLOW_INSECURE_HTTP=true for local development only');
  }
  return parsed ?? new URL('https://invalid.invalid');
}

/** `OIDC_*` and `AZURE_TENANT_ID`: which provider, which client, which scopes. */
export const oidcSection = defineSection({
  name: 'oidc',
  variables: {
    allowInsecureHttp: v.boolean('OIDC_ALLOW_INSECURE_HTTP', false, {
      doc: 'Accept an http:// issuer (local development and tests only).',
    }),
    issuerUrl: v.string('OIDC_ISSUER_URL', undefined, {
      doc: 'Issuer URL of the OpenID provider; metadata comes from its discovery document.',
    }),
    tenantId: v.string('AZURE_TENANT_ID', undefined, {
      doc: 'Instead of OIDC_ISSUER_URL, for Entra ID: the tenant id or domain.',
    }),
    clientId: v.secret('OIDC_CLIENT_ID', { required: true, doc: 'The client id registered at the provider.' }),
    clientSecret: v.secret('OIDC_CLIENT_SECRET', {
      doc: 'The client secret (client_secret_post). Required unless OIDC_CLIENT_JWK_FILE or OIDC_CLIENT_ASSERTION_FILE is set.',
    }),
    clientJwkFile: v.string('OIDC_CLIENT_JWK_FILE', undefined, {
      doc: 'Path of a private JWK (with kid and an asymmetric alg such as RS256, PS256, ES256): authenticate with private_key_jwt instead of a secret.',
    }),
    clientAssertionFile: v.string('OIDC_CLIENT_ASSERTION_FILE', undefined, {
      doc: 'Path of a federated token file (AKS workload identity: AZURE_FEDERATED_TOKEN_FILE), re-read on every token request and sent as the client assertion instead of a secret.',
    }),
    scopes: v.list('OIDC_SCOPES', {
      default: DEFAULT_SCOPES.join(' '),
      doc: 'Scopes to request, separated by spaces or commas; openid is always added.',
    }),
  },
  build(values, r): OidcConfig {
    const scopes = values.scopes.length > 0 ? [...values.scopes] : [...DEFAULT_SCOPES];
    if (!scopes.includes('openid')) scopes.unshift('openid');
    return {
      issuerUrl: issuer(r, values.issuerUrl, values.tenantId, values.allowInsecureHttp),
      clientId: r.required('OIDC_CLIENT_ID', values.clientId),
      ...readClientAuth(r, values.clientSecret, values.clientJwkFile, values.clientAssertionFile),
      scopes,
      allowInsecureHttp: values.allowInsecureHttp,
    };
  },
});
