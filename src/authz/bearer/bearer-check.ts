import type { HeaderTemplate } from '../../config/config.js';
import { compileTemplate } from '../../config/header-templates.js';
import { displayName, isEntraIssuer, stableSubject, verifiedEmail } from '../../gate/identity-claims.js';
import {
  CLIENT_ID_HEADER,
  CLIENT_NAME_HEADER,
  EMAIL_HEADER,
  encodeHeaderValue,
  SUBJECT_HEADER,
  USER_HEADER,
} from '../../gate/identity-headers.js';
import { parseAuthorization } from './authorization-header.js';
import type { Challenge } from './bearer-challenge.js';
import type { BearerValidator, TokenClaims } from './bearer-validator.js';
import { DENIAL_REASONS, type PolicyVerdict } from './policy-decision.js';
import type { TokenCache } from './token-cache.js';

export { CLIENT_ID_HEADER, CLIENT_NAME_HEADER, SUBJECT_HEADER } from '../../gate/identity-headers.js';

/** What a bearer request gets; the gate turns it into an answer. No cookie is read or set. */
export type BearerDecision =
  /** No bearer credentials and not a bearer-only path: the cookie session decides, as without bearer auth. */
  | { readonly kind: 'pass' }
  /** A user's token passed the policy: identity headers from its claims. */
  | {
      readonly kind: 'allow-user';
      readonly headers: Readonly<Record<string, string>>;
      readonly clientId: string;
      readonly subject: string | undefined;
    }
  /** An application's own token passed the policy. */
  | {
      readonly kind: 'allow-app';
      readonly headers: Readonly<Record<string, string>>;
      readonly clientId: string;
      readonly clientName: string | undefined;
    }
  /** 400, 401 or 403 with the challenge to send; `log` says why, for the log only. */
  | {
      readonly kind: 'refuse';
      readonly status: 400 | 401 | 403;
      readonly challenge: Challenge;
      readonly log: { readonly reason: string; readonly clientId?: string | undefined };
    };

/** What a bearer check is built from. */
export interface BearerCheckOptions {
  /** `DOMAIN`: the challenge's realm. */
  readonly realm: string;
  readonly validator: BearerValidator;
  /** The compiled `ACCESS_POLICY` (with `ASSERT_CLAIMS`). */
  readonly policy: (claims: TokenClaims) => PolicyVerdict;
  /**
   * `HEADERS`: templates rendered over a user token's claims; `.accessToken` is the
   * bearer token, `.idToken` is empty (a bearer request carries no id_token).
   */
  readonly headers: readonly HeaderTemplate[];
  /**
   * Whether a verified token comes from Microsoft Entra ID, which decides the subject
   * and email rules of `identity-claims.ts` as for sessions. Default: its `iss` is Entra's.
   */
  readonly entraIssued?: ((claims: TokenClaims) => boolean) | undefined;
  /** The compiled `BEARER_ONLY_PATHS`. */
  readonly bearerOnly: (requestPath: string) => boolean;
  /**
   * `ENTRA_GROUPS_OVERAGE=graph`: the groups of a user whose token has them in overage
   * (`_claim_names.groups`); undefined when they cannot be resolved. Absent: such a token is
   * decided without them (a rule on groups denies, with the logged reason).
   */
  readonly overageGroups?: ((claims: TokenClaims) => Promise<readonly string[] | undefined>) | undefined;
  /** Results of valid tokens (allowed or denied by the policy); none when absent. */
  readonly cache?: TokenCache<BearerDecision> | undefined;
}

const PASS: BearerDecision = { kind: 'pass' };

/** Logged when `ENTRA_GROUPS_OVERAGE=graph` could not resolve a token's groups. */
export const GRAPH_FAILED = 'groups overage: the Microsoft Graph lookup failed';

/** True when the token names its groups in `_claim_names` instead of listing them (Entra groups overage). */
export function inOverage(claims: TokenClaims): boolean {
  const names = claims._claim_names;
  return typeof names === 'object' && names !== null && Object.hasOwn(names, 'groups');
}

/** The fixed `error_description` of each policy denial. */
const DENIAL_DESCRIPTION: Record<string, string> = {
  [DENIAL_REASONS.appNotListed]: 'client not allowed',
  [DENIAL_REASONS.clientNotListed]: 'client not allowed',
  [DENIAL_REASONS.noClient]: 'client not allowed',
  [DENIAL_REASONS.appRoleMissing]: 'role required',
  [DENIAL_REASONS.scopeMissing]: 'scope required',
};

/**
 * Builds the bearer check: given the request's `Authorization` value and its path
 * (with query), it decides from the token alone. Synchronous unless a token must be
 * validated (a cached token is decided synchronously too); never throws.
 */
export function createBearerCheck(
  options: BearerCheckOptions,
): (authorization: string | readonly string[] | undefined, uri: string) => BearerDecision | Promise<BearerDecision> {
  const { realm, validator, policy, bearerOnly, cache, overageGroups } = options;
  const entraIssued = options.entraIssued ?? ((claims: TokenClaims) => isEntraIssuer(claims.iss));
  const custom = options.headers.map((h) => ({ name: h.name, render: compileTemplate(h.value) }));
  const refuse = (
    status: 400 | 401 | 403,
    challenge: Omit<Challenge, 'realm'>,
    reason: string,
    clientId?: string,
  ): BearerDecision => ({
    kind: 'refuse',
    status,
    challenge: { realm, ...challenge },
    log: { reason, clientId },
  });

  function allowed(verdict: PolicyVerdict & { allowed: true }, claims: TokenClaims, token: string): BearerDecision {
    if (verdict.kind === 'app') {
      const headers: Record<string, string> = { [CLIENT_ID_HEADER]: encodeHeaderValue(verdict.clientId) };
      if (verdict.clientName !== undefined) headers[CLIENT_NAME_HEADER] = encodeHeaderValue(verdict.clientName);
      return { kind: 'allow-app', headers, clientId: verdict.clientId, clientName: verdict.clientName };
    }
    // The same claim rules as a session's identity headers (identity-claims.ts).
    const entra = entraIssued(claims);
    const headers: Record<string, string> = {};
    const user = displayName(claims);
    const email = verifiedEmail(claims, entra);
    const subject = stableSubject(claims, entra);
    if (user !== undefined) headers[USER_HEADER] = encodeHeaderValue(user);
    if (email !== undefined) headers[EMAIL_HEADER] = encodeHeaderValue(email);
    if (subject !== undefined) headers[SUBJECT_HEADER] = encodeHeaderValue(subject);
    for (const { name, render } of custom)
      headers[name] = encodeHeaderValue(render({ claims, accessToken: token, idToken: undefined }));
    return { kind: 'allow-user', headers, clientId: verdict.clientId, subject };
  }

  async function decide(token: string): Promise<BearerDecision> {
    const result = await validator.validate(token);
    if (!result.ok)
      return refuse(401, { error: 'invalid_token', description: result.reason }, `${result.reason}: ${result.detail}`);
    let claims = result.claims;
    let verdict = policy(claims);
    if (!verdict.allowed && overageGroups !== undefined && inOverage(claims)) {
      const groups = await overageGroups(claims);
      if (groups === undefined) verdict = { ...verdict, reason: GRAPH_FAILED };
      else {
        claims = { ...claims, groups };
        verdict = policy(claims);
      }
    }
    const decision = verdict.allowed
      ? allowed(verdict, claims, token)
      : refuse(
          403,
          {
            error: 'insufficient_scope',
            description: DENIAL_DESCRIPTION[verdict.reason] ?? 'user not allowed',
            scope: verdict.required,
          },
          verdict.reason,
          verdict.clientId,
        );
    cache?.set(token, decision, result.expiresAt);
    return decision;
  }

  return (authorization, uri) => {
    const credentials = parseAuthorization(authorization);
    if (credentials.kind === 'malformed') {
      return refuse(
        400,
        { error: 'invalid_request', description: 'malformed Authorization header' },
        credentials.detail,
      );
    }
    if (credentials.kind !== 'bearer') {
      if (!bearerOnly(uri)) return PASS;
      if (/[?&]access_token=/.test(uri))
        return refuse(
          400,
          { error: 'invalid_request', description: 'token in the query is not accepted' },
          'access_token in the query',
        );
      return refuse(
        401,
        {},
        credentials.kind === 'none' ? 'no credentials on a bearer-only path' : 'another scheme on a bearer-only path',
      );
    }
    return (
      cache?.get(credentials.token) ??
      decide(credentials.token).catch(() =>
        refuse(401, { error: 'invalid_token', description: 'keys unavailable' }, 'validation failed unexpectedly'),
      )
    );
  };
}
