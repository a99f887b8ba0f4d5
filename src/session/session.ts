/**
 * A logged-in user's session. Times are Unix seconds. Tokens are kept for
 * refresh, token forwarding and logout (`id_token_hint`).
 */
export interface Session {
  /** The provider's subject identifier. */
  readonly sub: string;
  /** Validated id_token claims (merged with userinfo when configured): input to assertClaims and headers. */
  readonly claims: Readonly<Record<string, unknown>>;
  /** A random id given at creation (128 bits), so one cookie session can be revoked (`RevocationList`). Absent on sessions from older versions. */
  readonly jti?: string | undefined;
  /** The provider's session id (`sid` claim), for front-channel logout. */
  readonly sid?: string | undefined;
  readonly idToken?: string | undefined;
  readonly accessToken?: string | undefined;
  readonly refreshToken?: string | undefined;
  /** When the access token expires, if the provider said. */
  readonly accessTokenExpiresAt?: number | undefined;
  /** When the tokens were obtained (Unix seconds): at the last refresh, else `createdAt`. */
  readonly refreshedAt?: number | undefined;
  readonly createdAt: number;
  /** Absolute end: createdAt + SESSION_MAX_AGE. */
  readonly expiresAt: number;
  /** Last time a request used the session, at touch granularity. */
  readonly lastSeenAt: number;
  /**
   * Set on a session read without its tokens (`SessionManager.get(…, { tokens: false })`, a
   * check that forwards none): a server store keeps them apart and loads them only when
   * asked. Such a session's token fields are absent, not missing. Never stored.
   */
  readonly tokensApart?: true | undefined;
  /** `fallback`: a cookie session made at a login while Redis was unreachable (`SESSION_FALLBACK=cookie`), moved into Redis when it returns. */
  readonly origin?: 'fallback' | undefined;
}

/** A session's tokens, which a server store seals apart from the rest. */
export type SessionTokens = Pick<Session, 'idToken' | 'accessToken' | 'refreshToken'>;

/** The token fields of a session. */
export const TOKEN_FIELDS = ['idToken', 'accessToken', 'refreshToken'] as const;

/** The session without its tokens (and without `tokensApart`), and its tokens when it has any. */
export function splitTokens(session: Session): { readonly rest: Session; readonly tokens: SessionTokens | undefined } {
  const { idToken, accessToken, refreshToken, tokensApart: _apart, ...rest } = session;
  const tokens = { idToken, accessToken, refreshToken };
  const any = idToken !== undefined || accessToken !== undefined || refreshToken !== undefined;
  return { rest, tokens: any ? tokens : undefined };
}

/** Lifetimes the stores enforce, from the configuration. */
export interface SessionLifetime {
  /** Absolute lifetime in seconds. */
  readonly maxAge: number;
  /** Idle timeout in seconds. */
  readonly idleTimeout: number;
}

/**
 * Bytes of session data one in-process cache may hold, whatever SESSION_CACHE_SIZE
 * says: Entra sessions with many groups reach 5-10 KB, and the process heap must
 * stay bounded (docs/performance.md).
 */
export const SESSION_CACHE_MAX_BYTES = 24 * 1024 * 1024;

/** An estimate of a session's size in memory, for the cache's byte budget. */
export function sessionBytes(session: Session): number {
  return (
    512 +
    (session.idToken?.length ?? 0) +
    (session.accessToken?.length ?? 0) +
    (session.refreshToken?.length ?? 0) +
    JSON.stringify(session.claims).length
  );
}

/** The current time in Unix seconds. */
export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** The moment the session ends unless used again: the earlier of absolute and idle expiry. */
export function endsAt(session: Session, lifetime: SessionLifetime): number {
  return Math.min(session.expiresAt, session.lastSeenAt + lifetime.idleTimeout);
}

/** True while the session is neither past its absolute lifetime nor idle too long. */
export function isLive(session: Session, lifetime: SessionLifetime, now = nowSeconds()): boolean {
  return now < endsAt(session, lifetime);
}

/**
 * How stale `lastSeenAt` may get before it is written again: a tenth of the idle
 * timeout, at most a minute. Writing on every request would put a write (and for
 * the cookie store a re-encryption and a larger response) on the hot path.
 */
export function needsTouch(session: Session, lifetime: SessionLifetime, now = nowSeconds()): boolean {
  return now - session.lastSeenAt >= Math.min(60, Math.floor(lifetime.idleTimeout / 10));
}

/** A light structural check of data read back from a cookie or a store. */
export function isSession(value: unknown): value is Session {
  if (typeof value !== 'object' || value === null) return false;
  const s = value as Record<string, unknown>;
  return (
    typeof s.sub === 'string' &&
    typeof s.claims === 'object' &&
    s.claims !== null &&
    typeof s.createdAt === 'number' &&
    typeof s.expiresAt === 'number' &&
    typeof s.lastSeenAt === 'number'
  );
}
