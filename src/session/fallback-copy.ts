import { createHash } from 'node:crypto';
import type { ClaimProjection } from './claim-projection.js';
import { CHUNK_SIZE } from './cookie-store.js';
import { keyRing, type KeyBinding, type KeyRing } from './keys.js';
import { openJwt, sealJwt } from './sealed-jwt.js';
import type { Session, SessionLifetime } from './session.js';

/**
 * The minimal copy of a Redis session the browser carries for outages
 * (`<prefix>session_fb`). No tokens: a copy only proves who the user is.
 */
export interface FallbackCopy {
  /** SHA-256 of the session id it belongs to (binding: usable only with that `s:` cookie). */
  readonly idHash: string;
  readonly sub: string;
  readonly sid?: string | undefined;
  readonly jti?: string | undefined;
  /** The projected claims (`claimProjection`). */
  readonly claims: Readonly<Record<string, unknown>>;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly lastSeenAt: number;
  /** Unix seconds: when Redis last confirmed the session plus `SESSION_FALLBACK_MAX_AGE`. Never extended during an outage. */
  readonly fbUntil: number;
  /** The Redis epoch (`<ns>epoch`) when the copy was written; undefined when Redis could not say. */
  readonly epoch?: string | undefined;
}

/** What the codec needs: the secrets, the app and the copy cookie's name its key is bound to, the projection. */
export interface FallbackCodecOptions {
  readonly secrets: readonly string[];
  readonly app: Omit<KeyBinding, 'cookieName'>;
  /** `<prefix>session_fb`. */
  readonly cookieName: string;
  readonly project: ClaimProjection;
}

/** The hash a copy carries of its session id. */
export function idHash(id: string): string {
  return createHash('sha256').update(id).digest('base64url');
}

/** True while the copy may stand in for its session: before its fbUntil, absolute end and idle end. */
export function copyUsable(copy: FallbackCopy, lifetime: SessionLifetime, now: number): boolean {
  return now < Math.min(copy.fbUntil, copy.expiresAt, copy.lastSeenAt + lifetime.idleTimeout);
}

/** The session a copy stands for (without tokens). */
export function sessionOf(copy: FallbackCopy): Session {
  const { sub, sid, jti, claims, createdAt, expiresAt, lastSeenAt } = copy;
  return { sub, sid, jti, claims, createdAt, expiresAt, lastSeenAt };
}

function isCopy(value: unknown): value is FallbackCopy {
  if (typeof value !== 'object' || value === null) return false;
  const c = value as Record<string, unknown>;
  return (
    typeof c.idHash === 'string' &&
    typeof c.sub === 'string' &&
    typeof c.claims === 'object' &&
    c.claims !== null &&
    ['createdAt', 'expiresAt', 'lastSeenAt', 'fbUntil'].every((k) => typeof c[k] === 'number')
  );
}

/**
 * Seals and opens fallback copies: a JWE (dir + A256GCM, jose) under the
 * `session-fallback` key bound to this app and the copy cookie's name.
 */
export class FallbackCodec {
  private readonly ring: KeyRing;
  private readonly binding: KeyBinding;

  constructor(private readonly options: FallbackCodecOptions) {
    this.binding = { ...options.app, cookieName: options.cookieName };
    this.ring = keyRing(options.secrets, 'session-fallback', this.binding);
  }

  /** The copy of `session` (stored under `id`), or undefined when it would not fit one cookie chunk. */
  async seal(id: string, session: Session, fbUntil: number, epoch: string | undefined): Promise<string | undefined> {
    const copy: FallbackCopy = {
      idHash: idHash(id),
      sub: session.sub,
      sid: session.sid,
      jti: session.jti,
      claims: this.options.project(session.claims),
      createdAt: session.createdAt,
      expiresAt: session.expiresAt,
      lastSeenAt: session.lastSeenAt,
      fbUntil,
      epoch,
    };
    const jwe = await sealJwt({ fb: copy }, this.ring, this.binding, Math.min(fbUntil, session.expiresAt));
    return jwe.length <= CHUNK_SIZE ? jwe : undefined;
  }

  /** The copy in `value` if it is ours, intact, unexpired and bound to the session id `id`; else undefined. */
  async open(value: string, id: string): Promise<FallbackCopy | undefined> {
    if (value.length > CHUNK_SIZE) return undefined;
    const copy = (await openJwt(value, this.ring, this.binding))?.fb;
    return isCopy(copy) && copy.idHash === idHash(id) ? copy : undefined;
  }
}
