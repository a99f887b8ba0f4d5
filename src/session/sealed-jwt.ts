import { EncryptJWT, jwtDecrypt, type JWTPayload } from 'jose';
import type { KeyBinding, KeyRing } from './keys.js';

/**
 * Encrypts `payload` as a compact JWE (`dir` + `A256GCM`, jose) under the ring's
 * current key, naming the key in `kid` and the app in `iss` (issuer) and `aud`
 * (client id). `expiresAt` is Unix seconds.
 */
export function sealJwt(payload: JWTPayload, ring: KeyRing, binding: KeyBinding, expiresAt: number): Promise<string> {
  return new EncryptJWT(payload)
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: ring.current.kid })
    .setIssuer(binding.issuer)
    .setAudience(binding.clientId)
    .setIssuedAt()
    .setExpirationTime(expiresAt)
    .encrypt(ring.current.key);
}

/**
 * The payload of a value `sealJwt` made with a key of this ring for this app, or
 * undefined: tampered, truncated, expired, another secret, or another app's cookie.
 */
export async function openJwt(value: string, ring: KeyRing, binding: KeyBinding): Promise<JWTPayload | undefined> {
  try {
    const { payload } = await jwtDecrypt(
      value,
      (header) => {
        const key = ring.find(header.kid);
        if (key === undefined) throw new Error('unknown key');
        return key;
      },
      {
        keyManagementAlgorithms: ['dir'],
        contentEncryptionAlgorithms: ['A256GCM'],
        issuer: binding.issuer,
        audience: binding.clientId,
      },
    );
    return payload;
  } catch {
    return undefined;
  }
}
