/**
 * Which claims feed the built-in identity headers: a display name, a stable subject
 * for apps to key users on, and an email address only when the provider vouches for it.
 */

import { isEntraIssuer as isEntraHost } from '../config/sections/token-api.js';

type Claims = Readonly<Record<string, unknown>>;

function firstString(claims: Claims, names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = claims[name];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

/** Claims some providers send as the strings `"true"`/`"false"` (e.g. Cognito) count as booleans. */
const isFalse = (value: unknown) => value === false || value === 'false';

/**
 * Whether an issuer (the configured one for sessions, a bearer token's `iss`) is
 * Microsoft Entra ID: `login.microsoftonline.com`, the national clouds,
 * `sts.windows.net` (v1 tokens) or `*.ciamlogin.com`. Only then is `oid` the subject
 * and `preferred_username`/`upn` an address the provider vouches for.
 */
export function isEntraIssuer(issuer: unknown): boolean {
  if (issuer instanceof URL) return isEntraHost(issuer);
  return typeof issuer === 'string' && URL.canParse(issuer) && isEntraHost(new URL(issuer));
}

/** The user's display name: `name`, else `preferred_username`, else `sub`. Not unique: never key users on it. */
export function displayName(claims: Claims): string | undefined {
  return firstString(claims, ['name', 'preferred_username', 'sub']);
}

/**
 * The stable id to key users on: for Entra the object id `oid` (the same user in
 * every app of the tenant) when present, else `sub`; for every other provider `sub`.
 */
export function stableSubject(claims: Claims, entra: boolean): string | undefined {
  return firstString(claims, entra ? ['oid', 'sub'] : ['sub']);
}

/**
 * An Entra account that belongs to the issuing tenant: guests carry an `idp` claim naming
 * their home provider (differing from `iss`), or the optional `acct` claim `1`.
 */
function isEntraMember(claims: Claims): boolean {
  const { idp, iss, acct } = claims;
  return (idp === undefined || idp === iss) && acct !== 1 && acct !== '1';
}

/**
 * The user's email address, only when the provider vouches for it:
 * - `email`, unless the provider marked it unverified (`email_verified: false`, or
 *   Entra's `xms_edov: false`, "email domain owner not verified");
 * - else, for Entra only, the `preferred_username` or `upn` of a tenant member, which
 *   the tenant itself assigns (Entra sends no `email_verified`); guests' are not used;
 * - else none: another provider's `preferred_username` is whatever the user typed.
 */
export function verifiedEmail(claims: Claims, entra: boolean): string | undefined {
  const unverified = isFalse(claims.email_verified) || (entra && isFalse(claims.xms_edov));
  const email = unverified ? undefined : firstString(claims, ['email']);
  if (email !== undefined || !entra || !isEntraMember(claims)) return email;
  // Only address-shaped names: a phone-number sign-in is no email.
  for (const name of ['preferred_username', 'upn']) {
    const value = claims[name];
    if (typeof value === 'string' && value.includes('@')) return value;
  }
  return undefined;
}
