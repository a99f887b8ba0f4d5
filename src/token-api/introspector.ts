import type * as client from 'openid-client';
import {
  acceptedAlgorithms,
  createBearerValidator,
  type BearerValidation,
  type BearerValidator,
  type InvalidTokenReason,
} from '../authz/bearer/bearer-validator.js';
import type { IntrospectToken } from './texas-routes.js';

/** What the token API's validator accepts; the defaults are the bearer validator's (docs/api-protection.md). */
export interface TokenValidatorOptions {
  /** The discovered configuration (openid-client v6); undefined until discovery succeeds. */
  readonly configuration: () => client.Configuration | undefined;
  /** Accepted `aud` values: any one. */
  readonly audiences: readonly string[];
  /** Accepted issuers; default the discovered issuer. */
  readonly issuers?: readonly string[];
  /** Tenant ids a `{tenantid}` issuer may take. */
  readonly tenants?: readonly string[];
  /** Seconds of leeway on `exp`, `nbf` and `iat`. Default 60, as texas. */
  readonly clockSkew?: number;
}

/** A bearer validator built on first use from the provider metadata; `validate` answers `keys unavailable` before discovery. */
export function createTokenValidator(options: TokenValidatorOptions): BearerValidator {
  let built: { config: client.Configuration; validator: BearerValidator } | undefined;
  const current = (): BearerValidator | undefined => {
    const config = options.configuration();
    if (!config) return undefined;
    if (built?.config !== config) {
      const metadata = config.serverMetadata();
      if (metadata.jwks_uri === undefined) return undefined;
      built = {
        config,
        validator: createBearerValidator({
          jwksUri: new URL(metadata.jwks_uri),
          issuers: options.issuers ?? [metadata.issuer],
          v1Issuers: [],
          acceptV1: false,
          tenants: options.tenants ?? [],
          audiences: options.audiences,
          algorithms: acceptedAlgorithms(metadata),
          clockSkew: options.clockSkew ?? 60,
          requireAccessTokenClaims: false,
        }),
      };
    }
    return built.validator;
  };
  return {
    validate: async (token): Promise<BearerValidation> => {
      const validator = current();
      if (!validator) return { ok: false, reason: 'keys unavailable', detail: 'provider metadata not loaded yet' };
      return validator.validate(token);
    },
  };
}

/** texas's error texts, so clients that grep for them see familiar words. */
const TEXAS_TEXTS: Partial<Record<InvalidTokenReason, string>> = {
  expired: 'invalid token: ExpiredSignature',
  'not yet valid': 'invalid token: ImmatureSignature',
  'audience not accepted': 'invalid token: InvalidAudience',
  'malformed token': 'invalid token header: InvalidToken',
  'algorithm not accepted': 'invalid token: InvalidAlgorithm',
  'not an access token': 'invalid token: not an access token',
};

/** `/api/v1/introspect` on a bearer validator: the claims verbatim, or texas's error text for the reason. */
export function introspectWith(validator: BearerValidator): IntrospectToken {
  return async (token) => {
    const result = await validator.validate(token);
    if (result.ok) return { active: true, claims: result.claims };
    return {
      active: false,
      error: TEXAS_TEXTS[result.reason] ?? 'token can not be validated with this identity provider',
    };
  };
}
