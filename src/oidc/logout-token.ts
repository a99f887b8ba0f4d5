import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import { AppError } from '../errors/app-error.js';

/** The `events` member a logout token must carry (Back-Channel Logout 1.0 §2.4). */
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
/** Seconds of clock skew allowed on `iat` and `exp`. */
export const LOGOUT_TOKEN_SKEW = 60;
/** Oldest `iat` accepted: logout tokens are meant to live about two minutes. */
export const LOGOUT_TOKEN_MAX_AGE = 600;

/** Asymmetric JWS algorithms only: never `none`, never an HMAC keyed with the client secret. */
const ASYMMETRIC = /^(RS|PS|ES)(256|384|512)$|^ES256K$|^EdDSA$|^Ed25519$/;

/** Who a logout token ends: the provider session `sid`, or without it every session of `sub`. */
export interface LogoutTarget {
  readonly sid: string | undefined;
  readonly sub: string | undefined;
  readonly jti: string;
  /** Seconds until the token expires: how long its `jti` must be remembered. */
  readonly remaining: number;
}

/** The provider values a logout token is checked against. */
export interface LogoutTokenProvider {
  readonly issuer: string;
  readonly jwksUri: string;
  /** `id_token_signing_alg_values_supported`; HMAC and `none` are dropped. */
  readonly algorithms: readonly string[] | undefined;
}

function invalid(description: string): AppError {
  return new AppError('BAD_REQUEST', description, `logout_token: ${description}`);
}

/**
 * Validates logout tokens per Back-Channel Logout 1.0 §2.6 with jose: the signature
 * against the provider's JWKS (fetched and cached by `createRemoteJWKSet`), `iss`,
 * `aud`, `iat` and `exp` with skew, `typ` (`logout+jwt`, `JWT` or none), the
 * `events` member, no `nonce`, and `sid` or `sub`. Replay (`jti`) is the caller's.
 */
export class LogoutTokenVerifier {
  private jwks: { readonly uri: string; readonly set: ReturnType<typeof createRemoteJWKSet> } | undefined;

  constructor(private readonly clientId: string) {}

  /** Resolves to whom the token logs out, or throws a 400 `AppError` saying which check failed. */
  async verify(token: string, provider: LogoutTokenProvider): Promise<LogoutTarget> {
    if (this.jwks?.uri !== provider.jwksUri)
      this.jwks = { uri: provider.jwksUri, set: createRemoteJWKSet(new URL(provider.jwksUri)) };
    const algorithms = (provider.algorithms ?? ['RS256']).filter((alg) => ASYMMETRIC.test(alg));
    let payload: JWTPayload;
    let typ: string | undefined;
    try {
      const result = await jwtVerify(token, this.jwks.set, {
        issuer: provider.issuer,
        audience: this.clientId,
        algorithms: algorithms.length > 0 ? algorithms : ['RS256'],
        clockTolerance: LOGOUT_TOKEN_SKEW,
        maxTokenAge: LOGOUT_TOKEN_MAX_AGE,
        requiredClaims: ['iat', 'exp', 'jti'],
      });
      payload = result.payload;
      typ = result.protectedHeader.typ;
    } catch (err) {
      if (err instanceof errors.JOSEError && err.code === 'ERR_JWKS_TIMEOUT')
        throw new AppError('PROVIDER_UNAVAILABLE', 'The provider keys could not be loaded.', 'jwks timeout');
      throw invalid(err instanceof errors.JOSEError ? err.message : 'the logout token is not a valid JWT');
    }
    if (typ !== undefined && !/^(application\/)?(logout\+jwt|jwt)$/i.test(typ))
      throw invalid(`typ ${typ} is not logout+jwt`);
    const events = payload.events;
    if (typeof events !== 'object' || events === null || Array.isArray(events))
      throw invalid('the events claim is missing');
    const event = (events as Record<string, unknown>)[BACKCHANNEL_LOGOUT_EVENT];
    if (typeof event !== 'object' || event === null || Array.isArray(event))
      throw invalid('the events claim lacks the back-channel logout event');
    if ('nonce' in payload) throw invalid('a logout token must not carry a nonce');
    const sid = typeof payload.sid === 'string' && payload.sid !== '' ? payload.sid : undefined;
    const sub = typeof payload.sub === 'string' && payload.sub !== '' ? payload.sub : undefined;
    if (sid === undefined && sub === undefined) throw invalid('the logout token names neither sid nor sub');
    if (typeof payload.jti !== 'string' || payload.jti === '') throw invalid('the jti claim is missing');
    const remaining = Math.max(0, (payload.exp ?? 0) - Math.floor(Date.now() / 1000));
    return { sid, sub, jti: payload.jti, remaining };
  }
}
