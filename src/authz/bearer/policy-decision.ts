import type { ClaimPredicate } from '../claim-rules.js';
import type { AccessPolicy } from './access-policy.js';

/** Who a token speaks for: an application alone, or a user (delegated, on-behalf-of). */
export type TokenKind = 'app' | 'user';

/** The policy's answer for one verified token. */
export type PolicyVerdict =
  | {
      readonly allowed: true;
      readonly kind: TokenKind;
      readonly clientId: string;
      readonly clientName: string | undefined;
    }
  | {
      readonly allowed: false;
      readonly kind: TokenKind;
      readonly clientId: string | undefined;
      /** Log-only explanation, documented in docs/api-protection.md. */
      readonly reason: string;
      /** What would have been enough (the `scope` challenge parameter), when that is a role or scope. */
      readonly required: readonly string[];
    };

type Claims = Readonly<Record<string, unknown>>;

/** `idtyp=app` is an app-only token; without `idtyp`, `roles` without `scp` is one. Anything else is a user's token. */
export function tokenKind(claims: Claims): TokenKind {
  if (claims.idtyp !== undefined) return claims.idtyp === 'app' ? 'app' : 'user';
  return Array.isArray(claims.roles) && claims.scp === undefined ? 'app' : 'user';
}

/** The calling client: `azp` (Entra v2), `appid` (v1), or `client_id` (RFC 9068). */
export function callingClient(claims: Claims): string | undefined {
  for (const name of ['azp', 'appid', 'client_id']) {
    const value = claims[name];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

function words(value: unknown): Set<string> {
  if (typeof value === 'string') return new Set(value.split(' ').filter((w) => w !== ''));
  if (Array.isArray(value)) return new Set(value.filter((v): v is string => typeof v === 'string'));
  return new Set();
}

function hasGroupsOverage(claims: Claims): boolean {
  const names = claims._claim_names;
  return typeof names === 'object' && names !== null && Object.hasOwn(names, 'groups');
}

/** Reasons a policy refuses a token (logged; docs/api-protection.md lists them). */
export const DENIAL_REASONS = {
  appNotListed: 'application not in ACCESS_POLICY.applications',
  appRoleMissing: 'application token carries none of ACCESS_POLICY.appRoles',
  clientNotListed: 'calling client not in ACCESS_POLICY.applications and not this app',
  scopeMissing: 'user token scp carries none of ACCESS_POLICY.users.scopes',
  groupsOverage:
    'groups overage: the token names its groups in _claim_names instead of listing them (ENTRA_GROUPS_OVERAGE=deny); set ENTRA_GROUPS_OVERAGE=graph, users.allowAll, or emit only the groups assigned to the application',
  groupMissing: 'user in none of ACCESS_POLICY.users.groups',
  assertClaims: 'user token fails ASSERT_CLAIMS',
  noClient: 'token names no calling client (azp, appid or client_id)',
} as const;

/**
 * Compiles the policy into a pure predicate over verified claims. `ownClientId` is
 * this app's client id, which may always act for a user; `assertClaims` is the
 * compiled `ASSERT_CLAIMS`, applied to user tokens (its rules see `scp` split into words).
 */
export function compileAccessPolicy(
  policy: AccessPolicy,
  options: { ownClientId: string; assertClaims: ClaimPredicate },
): (claims: Claims) => PolicyVerdict {
  const names = new Map(policy.applications.map((a) => [a.clientId, a.name]));
  const appRoles = [...policy.appRoles];
  const { allowAll, groups, scopes } = policy.users;
  return (claims) => {
    const kind = tokenKind(claims);
    const clientId = callingClient(claims);
    const deny = (reason: string, required: readonly string[] = []): PolicyVerdict => ({
      allowed: false,
      kind,
      clientId,
      reason,
      required,
    });
    if (clientId === undefined) return deny(DENIAL_REASONS.noClient);
    if (kind === 'app') {
      if (!names.has(clientId)) return deny(DENIAL_REASONS.appNotListed, appRoles);
      const roles = words(claims.roles);
      if (appRoles.length > 0 && !appRoles.some((r) => roles.has(r)))
        return deny(DENIAL_REASONS.appRoleMissing, appRoles);
      return { allowed: true, kind, clientId, clientName: names.get(clientId) };
    }
    if (!names.has(clientId) && clientId !== options.ownClientId) return deny(DENIAL_REASONS.clientNotListed);
    const scp = words(claims.scp);
    if (scopes.length > 0 && !scopes.some((s) => scp.has(s))) return deny(DENIAL_REASONS.scopeMissing, scopes);
    if (!allowAll) {
      const member = words(claims.groups);
      if (!groups.some((g) => member.has(g)))
        return deny(
          member.size === 0 && hasGroupsOverage(claims) ? DENIAL_REASONS.groupsOverage : DENIAL_REASONS.groupMissing,
        );
    }
    if (!options.assertClaims({ ...claims, scp: [...scp] })) return deny(DENIAL_REASONS.assertClaims);
    return { allowed: true, kind, clientId, clientName: names.get(clientId) };
  };
}
