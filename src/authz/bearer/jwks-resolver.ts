import {
  base64url,
  createRemoteJWKSet,
  errors,
  type FlattenedJWSInput,
  type JWSHeaderParameters,
  type JWTVerifyGetKey,
} from 'jose';
import { issuerMatches } from './issuers.js';

/** Tuning of the remote key set; the defaults are jose's. */
export interface JwksOptions {
  /** Minimum time between two fetches caused by an unknown `kid`, in ms. Default 30000. */
  readonly cooldownDuration?: number;
  /** How long a fetched key set is used before it is fetched again, in ms. Default 600000. */
  readonly cacheMaxAge?: number;
  /** Timeout of one key-set fetch, in ms. Default 5000. */
  readonly timeoutDuration?: number;
}

/** Thrown when the key that matches a token is scoped (JWK `issuer`) to another issuer. */
export class KeyIssuerMismatch extends errors.JOSEError {
  override code = 'ERR_KEY_ISSUER_MISMATCH';
}

interface ScopedJwk {
  readonly kid?: string;
  readonly use?: string;
  readonly issuer?: unknown;
}

function unverifiedClaims(token: FlattenedJWSInput | undefined): Record<string, unknown> {
  try {
    const claims: unknown = JSON.parse(new TextDecoder().decode(base64url.decode(token?.payload ?? '')));
    return typeof claims === 'object' && claims !== null ? (claims as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * A key resolver for `jwtVerify` on the provider's `jwks_uri`, built on jose's
 * `createRemoteJWKSet` (shared fetches, a cooldown so an unknown `kid` causes at
 * most one refetch per `cooldownDuration`). On top of jose it honours a JWK's own
 * `issuer` field, as Entra's common key set uses it: a key scoped to one tenant (or
 * to the `{tenantid}` template) only verifies tokens whose `iss` is that issuer.
 * The token's claims read here are unverified; they only narrow which key may be
 * used, and the signature check with that key follows.
 */
export function createIssuerScopedJwks(url: URL, options: JwksOptions = {}): JWTVerifyGetKey {
  const remote = createRemoteJWKSet(url, options);
  return async (header: JWSHeaderParameters, token: FlattenedJWSInput) => {
    const key = await remote(header, token);
    const candidates = ((remote.jwks()?.keys ?? []) as ScopedJwk[]).filter(
      (jwk) => (header.kid === undefined || jwk.kid === header.kid) && (jwk.use === undefined || jwk.use === 'sig'),
    );
    if (candidates.some((jwk) => jwk.issuer !== undefined)) {
      const { iss, tid } = unverifiedClaims(token);
      const fits = (jwk: ScopedJwk): boolean =>
        jwk.issuer === undefined ||
        (typeof jwk.issuer === 'string' && typeof iss === 'string' && issuerMatches(jwk.issuer, iss, tid));
      if (!candidates.every(fits)) throw new KeyIssuerMismatch('the signing key is scoped to another issuer');
    }
    return key;
  };
}
