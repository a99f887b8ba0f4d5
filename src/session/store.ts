import type { BackendLock } from './backend.js';
import type { IndexedBy } from './sid-index.js';
import type { Session } from './session.js';

/** Parsed request cookies, name to value. */
export type Cookies = Readonly<Record<string, string | undefined>>;

/**
 * Where sessions are kept, and nothing more: a store reads, writes and deletes
 * sessions and speaks cookies in and `Set-Cookie` values out. Liveness, caching,
 * touches and logout semantics belong to `SessionManager`. Two stores exist: the
 * cookie store (the session is the cookie) and the server store (redis, memory).
 */
export interface SessionStore {
  /** `cookie`, `redis` or `memory`: for logs, metrics and readiness. */
  readonly kind: string;
  /** True when the session lives in the cookie itself, so each write gives a new cookie value. */
  readonly inCookie: boolean;
  /** The handle the cookies name (the sealed cookie value, or a verified session id), or undefined. No I/O. */
  handle(cookies: Cookies): string | undefined;
  /**
   * The session behind `handle`, or undefined when absent, tampered, foreign or expired. Never
   * throws for bad data. `tokens: false` lets a store that keeps tokens apart leave them out
   * (the session then says `tokensApart`); the cookie store always reads whole.
   */
  read(handle: string, tokens?: boolean): Promise<Session | undefined>;
  /** Stores a new session under a new handle; Set-Cookie values set it and clear leftovers. */
  write(session: Session, cookies: Cookies): Promise<{ readonly handle: string; readonly setCookies: string[] }>;
  /** Replaces the session at `handle` only while it exists; Set-Cookie values, or undefined when it was ended. */
  replace(handle: string, session: Session, cookies: Cookies): Promise<string[] | undefined>;
  /** Deletes the session behind `handle` server side (nothing for the cookie store). */
  delete(handle: string): Promise<void>;
  /** Set-Cookie values that clear the session cookies these cookies hold. */
  clear(cookies: Cookies): string[];
  /** Deletes every session indexed under `value`; returns the handles that were live (none for the cookie store). */
  deleteBy(by: IndexedBy, value: string): Promise<string[]>;
  /** Takes a lock shared by every replica using this store (in-process for cookie and memory). */
  lock(key: string, ttlMs: number): Promise<BackendLock | undefined>;
  /** Stores a short-lived value every replica can read (a refresh's result); in-process where no shared backend exists. */
  putNote(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** A value `putNote` stored and that has not expired, or undefined. */
  getNote(key: string): Promise<string | undefined>;
  /** Names of the cookies this store may set (Traefik `addAuthCookiesToResponse`). */
  cookieNames(): string[];
  /** Throws when the backing store cannot be reached (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
