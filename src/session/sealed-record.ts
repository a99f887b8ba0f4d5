import { createCipheriv, createDecipheriv, createHmac, randomFillSync } from 'node:crypto';
import { keyRing, type DerivedKey, type KeyBinding, type KeyRing } from './keys.js';
import { TOKEN_FIELDS, isSession, nowSeconds, type Session, type SessionTokens } from './session.js';

/** The format tag of a sealed record: `r1.<kid>.<iv>.<ciphertext><tag>` (base64url parts). */
const FORMAT = 'r1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** IVs drawn from the CSPRNG at once: `randomBytes(12)` cost 4 µs a call, a quarter of a seal. */
const IV_POOL_BYTES = IV_BYTES * 256;

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
  private readonly ivPool = Buffer.alloc(IV_POOL_BYTES);
  private ivOffset = IV_POOL_BYTES;

  constructor(secrets: readonly string[], binding: KeyBinding) {
    this.ring = keyRing(secrets, 'session-record', binding);
    this.keys = new Map(this.ring.all.map((k) => [k.kid, k.key] as const));
  }

  /**
   * The key of one record: HMAC-SHA256 of `info` (the session id, with what the record holds)
   * under the app's record key (itself from HKDF), i.e. HKDF-Expand's single block; hkdfSync
   * cost 3x as much here.
   */
  private static recordKey(appKey: Uint8Array, info: string): Buffer {
    return createHmac('sha256', appKey).update(info).update(ONE).digest();
  }

  /**
   * The sealed record of `session` under id `id`, valid until `expiresAt` (Unix seconds, the
   * session's absolute end). `tokensApart`: the session's tokens are sealed on their own
   * (`sealTokens`) and this record says so, so a read can leave them out.
   */
  seal(id: string, session: Session, expiresAt: number, tokensApart = false): Promise<string> {
    const payload = tokensApart ? { s: session, id, exp: expiresAt, t: 1 } : { s: session, id, exp: expiresAt };
    return Promise.resolve(this.sealed(`record ${id}`, payload));
  }

  /**
   * The session sealed under `id`, or undefined: tampered, another id, another secret or app,
   * expired, or no session. A record whose tokens are apart opens with `tokensApart: true`.
   */
  open(id: string, value: string | undefined): Promise<Session | undefined> {
    const payload = this.opened(`record ${id}`, value);
    if (payload?.id !== id || expired(payload) || !isSession(payload.s)) return Promise.resolve(undefined);
    return Promise.resolve(payload.t === 1 ? { ...payload.s, tokensApart: true } : payload.s);
  }

  /** The sealed tokens of the session `id`, valid until `expiresAt`: a record of their own, under a key of their own. */
  sealTokens(id: string, tokens: SessionTokens, expiresAt: number): string {
    return this.sealed(`tokens ${id}`, { k: tokens, id: `tokens:${id}`, exp: expiresAt });
  }

  /** The tokens `sealTokens` sealed for `id`, or undefined (absent, tampered, another session's, expired). */
  openTokens(id: string, value: string | undefined): SessionTokens | undefined {
    const payload = this.opened(`tokens ${id}`, value);
    if (payload?.id !== `tokens:${id}` || expired(payload)) return undefined;
    const k = payload.k as Record<string, unknown> | undefined;
    if (typeof k !== 'object' || k === null) return undefined;
    const tokens: Record<string, string> = {};
    for (const name of TOKEN_FIELDS) if (typeof k[name] === 'string') tokens[name] = k[name];
    return tokens;
  }

  private sealed(info: string, payload: object): string {
    const { kid, key }: DerivedKey = this.ring.current;
    const iv = this.nextIv();
    const cipher = createCipheriv('aes-256-gcm', SealedRecords.recordKey(key, info), iv);
    cipher.setAAD(Buffer.from(`${FORMAT}.${kid}`));
    const body = Buffer.concat([cipher.update(JSON.stringify(payload)), cipher.final()]);
    const sealed = Buffer.concat([body, cipher.getAuthTag()]).toString('base64url');
    return `${FORMAT}.${kid}.${iv.toString('base64url')}.${sealed}`;
  }

  /** A fresh random IV: a view of the pool, valid until the next call (the cipher copies it at once). */
  private nextIv(): Buffer {
    if (this.ivOffset === IV_POOL_BYTES) {
      randomFillSync(this.ivPool);
      this.ivOffset = 0;
    }
    const iv = this.ivPool.subarray(this.ivOffset, this.ivOffset + IV_BYTES);
    this.ivOffset += IV_BYTES;
    return iv;
  }

  private opened(info: string, value: string | undefined): Payload | undefined {
    if (!value?.startsWith(`${FORMAT}.`)) return undefined;
    const [, kid = '', iv = '', sealed = ''] = value.split('.');
    const key = this.keys.get(kid);
    const raw = Buffer.from(sealed, 'base64url');
    const nonce = Buffer.from(iv, 'base64url');
    if (key === undefined || nonce.length !== IV_BYTES || raw.length <= TAG_BYTES) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', SealedRecords.recordKey(key, info), nonce);
      decipher.setAAD(Buffer.from(`${FORMAT}.${kid}`));
      decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(raw.subarray(0, raw.length - TAG_BYTES)), decipher.final()]);
      return JSON.parse(plain.toString('utf8')) as Payload;
    } catch {
      return undefined;
    }
  }
}

/** What a record holds: the session (`s`) or the tokens (`k`), the id it is bound to, its end, and `t: 1` when the tokens are apart. */
interface Payload {
  readonly s?: unknown;
  readonly k?: unknown;
  readonly id?: unknown;
  readonly exp?: unknown;
  readonly t?: unknown;
}

const expired = (payload: Payload): boolean => typeof payload.exp === 'number' && payload.exp <= nowSeconds();
