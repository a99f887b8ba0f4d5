import type { Session } from './session.js';

/** Parsed request cookies, name to value. */
export type Cookies = Readonly<Record<string, string | undefined>>;

/** A session read from a request, with what its store needs to find it again. */
export interface LoadedSession {
  readonly session: Session;
  /** Server-side id (redis, memory); undefined for the cookie store. */
  readonly id?: string | undefined;
}

/**
 * The one interface every session store implements (cookie, redis, memory).
 * Stores speak cookies in and `Set-Cookie` values out, so the HTTP layer and the
 * fast path use them the same way. A shared contract test covers every adapter.
 */
export interface SessionStore {
  readonly kind: 'cookie' | 'redis' | 'memory';
  /** The session for these cookies, or undefined when absent, tampered, foreign or expired. Never throws for bad cookies. */
  load(cookies: Cookies): Promise<LoadedSession | undefined>;
  /** Stores a new session under a new id and returns the Set-Cookie values (clearing leftovers). */
  create(session: Session, cookies: Cookies): Promise<string[]>;
  /**
   * Records use of the session when due (idle timeout); returns Set-Cookie values,
   * often none, or undefined when the session was ended meanwhile (a logout on
   * another replica while this one served it from its cache).
   */
  touch(loaded: LoadedSession, cookies: Cookies): Promise<string[] | undefined>;
  /** Deletes the session server side (if any) and returns Set-Cookie values that clear it. */
  destroy(cookies: Cookies): Promise<string[]>;
  /** Ends every session of the provider's `sid` (front-channel logout); returns how many. */
  destroyBySid(sid: string): Promise<number>;
  /** Names of the cookies this store may set (Traefik `addAuthCookiesToResponse`). */
  cookieNames(): string[];
  /** Throws when the backing store cannot be reached (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
