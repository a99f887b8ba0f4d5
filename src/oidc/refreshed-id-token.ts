/**
 * OpenID Connect Core 1.0 §12.2: an id_token returned by a refresh must describe
 * the same authentication as the one the session holds. openid-client already
 * checks the new token's signature (non-repudiation checks), `iss` against the
 * provider, `aud` containing our client id, `exp` and `iat`; this adds the
 * comparison with the stored claims that it leaves to the relying party.
 */

function audiences(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((a): a is string => typeof a === 'string').sort() : [];
}

function sameAudience(a: unknown, b: unknown): boolean {
  const left = audiences(a);
  const right = audiences(b);
  return left.length === right.length && left.every((value, i) => value === right[i]);
}

/**
 * Why a refreshed id_token does not continue the stored one, or undefined when it
 * does: `iss`, `sub`, `aud` (as a set) and `azp` (also its absence) must be equal;
 * `auth_time`, when the original had one, must be unchanged; a `nonce` must repeat
 * the original; `iat` may not go back in time. Only claim names are returned.
 */
export function refreshedIdTokenProblem(
  stored: Readonly<Record<string, unknown>>,
  next: Readonly<Record<string, unknown>>,
): string | undefined {
  for (const claim of ['iss', 'sub', 'azp'] as const) {
    if (next[claim] !== stored[claim]) return `${claim} differs from the original id_token`;
  }
  if (!sameAudience(stored.aud, next.aud)) return 'aud differs from the original id_token';
  if (stored.auth_time !== undefined && next.auth_time !== stored.auth_time)
    return 'auth_time differs from the original id_token';
  if (next.nonce !== undefined && next.nonce !== stored.nonce) return 'nonce differs from the original id_token';
  if (typeof stored.iat === 'number' && typeof next.iat === 'number' && next.iat < stored.iat)
    return 'iat is earlier than the original id_token';
  return undefined;
}
