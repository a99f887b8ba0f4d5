import { hkdfSync } from 'node:crypto';

/** What a derived key is for; distinct purposes never share a key. */
export type KeyPurpose = 'session-cookie' | 'login-transaction' | 'session-id-signature';

/**
 * Derives a 256-bit key for one purpose from SESSION_SECRET with HKDF-SHA256,
 * so one configured secret yields independent keys for each use.
 */
export function deriveKey(secret: string, purpose: KeyPurpose): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', secret, 'idp-oidc-middleware', `${purpose} v1`, 32));
}
