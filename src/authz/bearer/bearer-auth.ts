import type { HeaderTemplate } from '../../config/config.js';
import type { BearerConfig } from '../../config/bearer.js';
import { compileClaimRules, type ClaimRule } from '../claim-rules.js';
import { createBearerCheck, type BearerDecision } from './bearer-check.js';
import { compileBearerOnlyPaths } from './bearer-only-paths.js';
import { acceptedAlgorithms, createBearerValidator, type BearerValidator } from './bearer-validator.js';
import { isEntraIssuer } from '../../gate/identity-claims.js';
import { acceptedIssuers, issuerMatches, TENANT_PLACEHOLDER } from './issuers.js';
import type { JwksOptions } from './jwks-resolver.js';
import { compileAccessPolicy } from './policy-decision.js';
import { TokenCache, type TokenCacheOptions } from './token-cache.js';

/** The discovered provider metadata the bearer check needs. */
export interface BearerProviderMetadata {
  readonly issuer: string;
  readonly jwks_uri?: string | undefined;
  readonly id_token_signing_alg_values_supported?: readonly string[] | undefined;
}

/** Everything `createBearerAuth` wires together. */
export interface BearerAuthOptions {
  readonly bearer: BearerConfig;
  /** `DOMAIN`, the challenge realm. */
  readonly realm: string;
  /** `OIDC_CLIENT_ID`: this app may act for a user. */
  readonly clientId: string;
  /** `ASSERT_CLAIMS`, applied to user tokens. */
  readonly assertClaims: readonly ClaimRule[];
  /** `HEADERS`, rendered over a user token's claims (`.accessToken` the bearer token, `.idToken` empty). */
  readonly headers: readonly HeaderTemplate[];
  readonly metadata: BearerProviderMetadata;
  readonly jwks?: JwksOptions;
  readonly cache?: TokenCacheOptions;
  /** `ENTRA_GROUPS_OVERAGE=graph`: resolves the groups of a token in overage. */
  readonly overageGroups?:
    ((claims: Readonly<Record<string, unknown>>) => Promise<readonly string[] | undefined>) | undefined;
  /** Replaces the validator built from the metadata (tests count verifications with it). */
  readonly validator?: BearerValidator;
}

/** The assembled check, and its cache (for metrics). */
export interface BearerAuth {
  readonly check: (
    authorization: string | readonly string[] | undefined,
    uri: string,
  ) => BearerDecision | Promise<BearerDecision>;
  readonly cache: TokenCache<BearerDecision>;
}

/**
 * Builds the bearer check from the configuration and the provider's metadata, once
 * at start. Throws when the provider publishes no `jwks_uri`.
 */
export function createBearerAuth(options: BearerAuthOptions): BearerAuth {
  const { bearer, metadata } = options;
  const { issuers, v1Issuers } = acceptedIssuers({
    discovered: metadata.issuer,
    configured: bearer.issuers,
    acceptV1: bearer.acceptV1,
  });
  if (options.validator === undefined && metadata.jwks_uri === undefined)
    throw new Error('BEARER_AUTH=on needs the provider to publish jwks_uri');
  const validator =
    options.validator ??
    createBearerValidator({
      jwksUri: new URL(metadata.jwks_uri ?? ''),
      issuers,
      v1Issuers,
      acceptV1: bearer.acceptV1,
      tenants: bearer.tenants,
      audiences: bearer.audiences,
      algorithms: acceptedAlgorithms(metadata),
      clockSkew: bearer.clockSkew,
      jwks: options.jwks,
    });
  const cache = new TokenCache<BearerDecision>(options.cache);
  const policy = compileAccessPolicy(bearer.accessPolicy, {
    ownClientId: options.clientId,
    assertClaims: compileClaimRules(options.assertClaims),
  });
  // Entra's own issuers, and tokens accepted through Entra's `{tenantid}` issuer template.
  const templates = [...issuers, ...v1Issuers].filter((i) => i.includes(TENANT_PLACEHOLDER));
  const entraIssued = (claims: Readonly<Record<string, unknown>>) =>
    isEntraIssuer(claims.iss) || templates.some((t) => issuerMatches(t, String(claims.iss), claims.tid));
  const check = createBearerCheck({
    entraIssued,
    realm: options.realm,
    validator,
    policy,
    headers: options.headers,
    bearerOnly: compileBearerOnlyPaths(bearer.onlyPaths),
    cache,
    overageGroups: options.overageGroups,
  });
  return { check, cache };
}
