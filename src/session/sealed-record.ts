import { keyRing, type KeyBinding } from './keys.js';
import { openJwt, sealJwt } from './sealed-jwt.js';
import { isSession, type Session } from './session.js';

/**
 * Seals server-side session records, so what Redis holds is no credential and no
 * personal data: each record is a JWE (`dir` + `A256GCM`, jose) under a key derived
 * from `SESSION_SECRETS` for this app *and this session id* (HKDF, purpose
 * `session-record`). Redis never holds the key; a record copied to another id, edited,
 * or a byte flipped fails authentication and reads as no session.
 */
export class SealedRecords {
  constructor(
    private readonly secrets: readonly string[],
    private readonly binding: KeyBinding,
  ) {}

  /** The key ring of one session: the app binding plus the session id in HKDF's info. */
  private ring(id: string) {
    return keyRing(this.secrets, 'session-record', { ...this.binding, cookieName: `${this.binding.cookieName}#${id}` });
  }

  /** The sealed record of `session` under id `id`, valid until the session's absolute end. */
  seal(id: string, session: Session, expiresAt: number): Promise<string> {
    return sealJwt({ s: session, id }, this.ring(id), this.binding, expiresAt);
  }

  /** The session sealed under `id`, or undefined: tampered, another id, another secret or app, or no session. */
  async open(id: string, value: string | undefined): Promise<Session | undefined> {
    if (value === undefined) return undefined;
    const payload = await openJwt(value, this.ring(id), this.binding);
    if (payload?.id !== id) return undefined;
    return isSession(payload.s) ? payload.s : undefined;
  }
}
