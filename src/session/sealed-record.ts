import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { keyRing, type DerivedKey, type KeyBinding, type KeyRing } from './keys.js';
import { isSession, nowSeconds, type Session } from './session.js';

/** The format tag of a sealed record: `r1.<kid>.<iv>.<ciphertext><tag>` (base64url parts). */
const FORMAT = 'r1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** HKDF-Expand's block counter for the first (and only) 32-byte block. */
const ONE = Buffer.from([1]);

/**
 * Seals server-side session records, so what Redis holds is no credential and no
 * personal data. Each record is AES-256-GCM (node:crypto, i.e. OpenSSL) under a key of
 * its own: HKDF-SHA256 expanded from this app's record key (from `SESSION_SECRETS`,
 * purpose `session-record`) with the session id as info. Redis never holds a key; a record
 * copied to another id, edited, or with a byte flipped fails authentication and reads
 * as no session. The format tag and key id are authenticated too (associated data).
 *
 * Not a JWE, unlike the cookies: a record is read on every check that misses the
 * in-process cache (every check of a session not seen in the last SESSION_CACHE_TTL),
 * and jose's JWE goes through WebCrypto, whose per-call round trip cost about 100 µs of
 * CPU a record against a few µs here.
 */
export class SealedRecords {
  private readonly ring: KeyRing;
  private readonly keys: ReadonlyMap<string, Uint8Array>;

  constructor(secrets: readonly string[], binding: KeyBinding) {
    this.ring = keyRing(secrets, 'session-record', binding);
    this.keys = new Map(this.ring.all.map((k) => [k.kid, k.key] as const));
  }

  /**
   * The key of one session's record: HMAC-SHA256 of the session id under the app's record
   * key (itself from HKDF), i.e. HKDF-Expand's single block; hkdfSync cost 3x as much here.
   */
  private static recordKey(appKey: Uint8Array, id: string): Buffer {
    return createHmac('sha256', appKey).update(`record ${id}`).update(ONE).digest();
  }

  /** The sealed record of `session` under id `id`, valid until `expiresAt` (Unix seconds, the session's absolute end). */
  seal(id: string, session: Session, expiresAt: number): Promise<string> {
    const { kid, key }: DerivedKey = this.ring.current;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', SealedRecords.recordKey(key, id), iv);
    cipher.setAAD(Buffer.from(`${FORMAT}.${kid}`));
    const body = Buffer.concat([cipher.update(JSON.stringify({ s: session, id, exp: expiresAt })), cipher.final()]);
    const sealed = Buffer.concat([body, cipher.getAuthTag()]).toString('base64url');
    return Promise.resolve(`${FORMAT}.${kid}.${iv.toString('base64url')}.${sealed}`);
  }

  /** The session sealed under `id`, or undefined: tampered, another id, another secret or app, expired, or no session. */
  open(id: string, value: string | undefined): Promise<Session | undefined> {
    return Promise.resolve(this.opened(id, value));
  }

  private opened(id: string, value: string | undefined): Session | undefined {
    const payload = value?.startsWith(`${FORMAT}.`) ? this.decrypt(id, value) : undefined;
    if (payload?.id !== id) return undefined;
    if (typeof payload.exp === 'number' && payload.exp <= nowSeconds()) return undefined;
    return isSession(payload.s) ? payload.s : undefined;
  }

  private decrypt(id: string, value: string): { s?: unknown; id?: unknown; exp?: unknown } | undefined {
    const [, kid = '', iv = '', sealed = ''] = value.split('.');
    const key = this.keys.get(kid);
    const raw = Buffer.from(sealed, 'base64url');
    const nonce = Buffer.from(iv, 'base64url');
    if (key === undefined || nonce.length !== IV_BYTES || raw.length <= TAG_BYTES) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', SealedRecords.recordKey(key, id), nonce);
      decipher.setAAD(Buffer.from(`${FORMAT}.${kid}`));
      decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(raw.subarray(0, raw.length - TAG_BYTES)), decipher.final()]);
      return JSON.parse(plain.toString('utf8')) as { s?: unknown; id?: unknown; exp?: unknown };
    } catch {
      return undefined;
    }
  }
}
