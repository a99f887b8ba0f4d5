import { decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { issuerMatches, isV1Issuer } from './issuers.js';
import { createIssuerScopedJwks, KeyIssuerMismatch, type JwksOptions } from './jwks-resolver.js';

/**
 * Why a bearer token was refused: the fixed vocabulary of `error_description`
 * (RFC 6750 §3 warns against saying more). Details go to the log only.
 */
export type InvalidTokenReason =
  | 'malformed token'
  | 'algorithm not accepted'
  | 'signature invalid'
  | 'keys unavailable'
  | 'expired'
  | 'not yet valid'
  | 'issuer not accepted'
  | 'audience not accepted'
  | 'not an access token';

/** The claims of a verified access token. */
export type TokenClaims = Readonly<JWTPayload & Record<string, unknown>>;

/** A validation result: the verified claims, or the reason and a log-only detail. */
export type BearerValidation =
  | { readonly ok: true; readonly claims: TokenClaims; readonly version: 'v1' | 'v2'; readonly expiresAt: number }
  | { readonly ok: false; readonly reason: InvalidTokenReason; readonly detail: string };

/** Validates one bearer token; never throws. */
export interface BearerValidator {
  validate(token: string): Promise<BearerValidation>;
}

/** What a validator accepts; built from the bearer configuration and the provider metadata. */
export interface BearerValidatorOptions {
  /** The provider's `jwks_uri`. */
  readonly jwksUri: URL;
  /** Accepted v2 (or non-Entra) issuers: exact, or with `{tenantid}`. */
  readonly issuers: readonly string[];
  /** Accepted Entra v1 issuers (`https://sts.windows.net/<tid>/`); only used when `acceptV1`. */
  readonly v1Issuers: readonly string[];
  /** `BEARER_ACCEPT_V1`: accept v1 tokens (`ver` 1.0, v1 issuer). */
  readonly acceptV1: boolean;
  /** Tenant ids a `{tenantid}` issuer may take (the `tid` allow-list). */
  readonly tenants: readonly string[];
  /** `BEARER_AUDIENCES`: any one must be in `aud`. */
  readonly audiences: readonly string[];
  /** Accepted JWS algorithms, asymmetric only (see `acceptedAlgorithms`). */
  readonly algorithms: readonly string[];
  /** `BEARER_CLOCK_SKEW`: seconds of leeway on `exp`, `nbf` and `iat`. */
  readonly clockSkew: number;
  /** Key-set fetch tuning. */
  readonly jwks?: JwksOptions;
  /** Clock, for tests. Default `Date.now`. */
  readonly now?: () => number;
  /**
   * Require `scp`, `roles` or `idtyp=app` (default true). The token API turns it off, as texas and
   * the Microsoft sidecar (ACL mode) do; id_tokens and logout tokens are refused either way.
   */
  readonly requireAccessTokenClaims?: boolean;
}

const ASYMMETRIC = /^(RS|PS|ES)(256|384|512)$|^ES256K$|^EdDSA$|^Ed25519$/;
const ACCESS_TOKEN_TYPES = new Set(['jwt', 'at+jwt', 'application/at+jwt']);

/**
 * The algorithms a bearer token may use: the asymmetric ones the provider's
 * metadata lists for signing (`id_token_signing_alg_values_supported`), RS256 when
 * it lists none. `none` and the HMAC algorithms are never accepted: with HS256 a
 * client secret would be enough to forge a token.
 */
export function acceptedAlgorithms(metadata: {
  readonly id_token_signing_alg_values_supported?: readonly string[] | undefined;
}): string[] {
  const listed = (metadata.id_token_signing_alg_values_supported ?? []).filter((a) => ASYMMETRIC.test(a));
  return listed.length > 0 ? listed : ['RS256'];
}

function failure(reason: InvalidTokenReason, detail: string): BearerValidation {
  return { ok: false, reason, detail };
}

function reasonOf(err: unknown): InvalidTokenReason {
  if (err instanceof errors.JWTExpired) return 'expired';
  if (err instanceof errors.JWTClaimValidationFailed)
    return err.claim === 'aud' ? 'audience not accepted' : err.claim === 'nbf' ? 'not yet valid' : 'malformed token';
  if (err instanceof errors.JOSEAlgNotAllowed || err instanceof errors.JOSENotSupported)
    return 'algorithm not accepted';
  if (err instanceof errors.JWSSignatureVerificationFailed || err instanceof errors.JWKSNoMatchingKey)
    return 'signature invalid';
  if (err instanceof errors.JWKSMultipleMatchingKeys || err instanceof KeyIssuerMismatch) return 'signature invalid';
  if (err instanceof errors.JWTInvalid || err instanceof errors.JWSInvalid) return 'malformed token';
  return 'keys unavailable';
}

/** An access token carries `scp`, `roles` or `idtyp=app`; id_tokens and logout tokens are refused. */
function accessTokenProblem(claims: TokenClaims, requireClaims: boolean): string | undefined {
  if (claims.events !== undefined) return 'a logout token (events claim)';
  if (claims.nonce !== undefined || claims.at_hash !== undefined || claims.c_hash !== undefined)
    return 'an id_token (nonce or at_hash claim)';
  if (!requireClaims) return undefined;
  const scp = typeof claims.scp === 'string' && claims.scp.trim() !== '';
  const roles = Array.isArray(claims.roles);
  if (!scp && !roles && claims.idtyp !== 'app') return 'no scp, roles or idtyp=app claim';
  return undefined;
}

/**
 * Builds the bearer-token validator: jose `jwtVerify` against the provider's key
 * set (issuer-scoped keys honoured), then the issuer rules (exact, `{tenantid}`
 * template with the tenant allow-list, v1 only when enabled), the audience, the
 * times with the clock skew, and the access-token test.
 */
export function createBearerValidator(options: BearerValidatorOptions): BearerValidator {
  const keys: JWTVerifyGetKey = createIssuerScopedJwks(options.jwksUri, options.jwks);
  const tenants = new Set(options.tenants.map((t) => t.toLowerCase()));
  const now = options.now ?? Date.now;
  const algorithms = options.algorithms.filter((a) => ASYMMETRIC.test(a));
  const accepts = (list: readonly string[], iss: string, tid: unknown): boolean =>
    list.some((i) => issuerMatches(i, iss, tid, tenants));

  return {
    async validate(token) {
      let typ: unknown;
      try {
        typ = decodeProtectedHeader(token).typ;
      } catch {
        return failure('malformed token', 'not a JWS compact serialization');
      }
      if (typ !== undefined && (typeof typ !== 'string' || !ACCESS_TOKEN_TYPES.has(typ.toLowerCase()))) {
        return failure('not an access token', `typ ${typeof typ === 'string' ? typ : JSON.stringify(typ)}`);
      }
      let claims: TokenClaims;
      try {
        ({ payload: claims } = await jwtVerify(token, keys, {
          algorithms: [...algorithms],
          audience: [...options.audiences],
          clockTolerance: options.clockSkew,
          requiredClaims: ['exp', 'iss'],
          currentDate: new Date(now()),
        }));
      } catch (err) {
        return failure(reasonOf(err), err instanceof Error ? `${err.name}: ${err.message}` : 'verification failed');
      }
      const nowSeconds = now() / 1000;
      if (typeof claims.iat === 'number' && claims.iat > nowSeconds + options.clockSkew)
        return failure('not yet valid', 'iat in the future');
      const iss = String(claims.iss);
      const v1 = isV1Issuer(iss) || claims.ver === '1.0';
      if (v1 && !options.acceptV1)
        return failure('issuer not accepted', `v1 token from ${iss}; BEARER_ACCEPT_V1 is off`);
      if (!accepts(v1 ? options.v1Issuers : options.issuers, iss, claims.tid))
        return failure('issuer not accepted', `issuer ${iss}`);
      const problem = accessTokenProblem(claims, options.requireAccessTokenClaims ?? true);
      if (problem !== undefined) return failure('not an access token', problem);
      return { ok: true, claims, version: v1 ? 'v1' : 'v2', expiresAt: (claims.exp ?? 0) * 1000 };
    },
  };
}
