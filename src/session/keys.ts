import { createHash, hkdfSync } from 'node:crypto';

/** What a derived key is for; distinct purposes never share a key. */
export type KeyPurpose =
  'session-cookie' | 'login-transaction' | 'session-id-signature' | 'session-record' | 'session-fallback';

/**
 * The app a key belongs to. Two deployments that share a secret (a copied values
 * file) still get unrelated keys, so neither accepts the other's cookies.
 */
export interface KeyBinding {
  /** The provider's issuer URL, as configured. */
  readonly issuer: string;
  /** The OIDC client id. */
  readonly clientId: string;
  /** The app's host (`DOMAIN`). */
  readonly domain: string;
  /** The cookie (or cookie-name family) the key protects. */
  readonly cookieName: string;
}

/** One derived key and its public id (`kid`), the first 8 characters of its SHA-256. */
export interface DerivedKey {
  readonly kid: string;
  readonly key: Uint8Array;
}

/** Keys from every configured secret: write with `current`, read with any of `all`. */
export interface KeyRing {
  /** From the first secret: every new cookie or signature uses it. */
  readonly current: DerivedKey;
  /** From every secret, first one first: rotation keeps older cookies readable. */
  readonly all: readonly DerivedKey[];
  /** The key with this `kid`, if one of the secrets made it. */
  find(kid: string | undefined): Uint8Array | undefined;
}

/**
 * Derives a 256-bit key for one purpose and one app from a secret with HKDF-SHA256:
 * the binding goes into HKDF's info (hashed, as HKDF info is bounded), so a key
 * made for another issuer, client, domain or cookie name is a different key.
 */
export function deriveKey(secret: string, purpose: KeyPurpose, binding: KeyBinding): DerivedKey {
  const bound = createHash('sha256')
    .update(JSON.stringify([binding.issuer, binding.clientId, binding.domain, binding.cookieName]))
    .digest('base64url');
  const key = new Uint8Array(hkdfSync('sha256', secret, 'idp-oidc-middleware', `${purpose} v2 ${bound}`, 32));
  return { key, kid: createHash('sha256').update(key).digest('base64url').slice(0, 8) };
}

/** The key ring for one purpose and binding from `SESSION_SECRETS` (first = current). */
export function keyRing(secrets: readonly string[], purpose: KeyPurpose, binding: KeyBinding): KeyRing {
  if (secrets.length === 0) throw new Error('at least one session secret is required');
  const all = secrets.map((secret) => deriveKey(secret, purpose, binding));
  const byKid = new Map(all.map((k) => [k.kid, k.key] as const));
  return { current: all[0], all, find: (kid) => (kid === undefined ? undefined : byKid.get(kid)) };
}
