import { nowSeconds, type Session } from '../../src/session/session.js';
import type { SessionManager } from '../../src/session/session-manager.js';
import { cookieHeader } from './harness.js';

/** What a seeded session may set; everything left out gets a live session for alice. */
export interface SeedOptions {
  readonly sub?: string;
  /** The id_token claims: input to ASSERT_CLAIMS and the identity headers. */
  readonly claims?: Readonly<Record<string, unknown>>;
  readonly sid?: string;
  readonly idToken?: string;
  readonly accessToken?: string;
  readonly refreshToken?: string;
  /** Unix seconds; the default is now. */
  readonly createdAt?: number;
  /** Unix seconds; the default is `createdAt`. */
  readonly lastSeenAt?: number;
  /** Unix seconds; the default is `createdAt` plus an hour. */
  readonly expiresAt?: number;
  /** The browser's Cookie header before the session is made (the store clears leftovers from it). */
  readonly cookie?: string;
}

/** A seeded session: what was stored, the store's Set-Cookie values and the Cookie header to send. */
export interface SeededSession {
  readonly session: Session;
  readonly setCookies: string[];
  /** The Cookie header a browser would send next: `options.cookie` updated by `setCookies`. */
  readonly cookie: string;
}

/** Alice's claims as the development provider issues them. */
export const ALICE_CLAIMS: Readonly<Record<string, unknown>> = {
  sub: 'alice',
  name: 'Alice Andersen',
  email: 'alice@example.test',
  preferred_username: 'alice',
  groups: ['demo-users', 'admins'],
  roles: ['reader', 'writer'],
};

/** Splits a Cookie header into the name-to-value map stores read. */
export function asCookies(header: string): Record<string, string> {
  return Object.fromEntries(
    header
      .split('; ')
      .filter(Boolean)
      .map((c) => [c.slice(0, c.indexOf('=')), c.slice(c.indexOf('=') + 1)]),
  );
}

/**
 * Creates a session with chosen times, claims and tokens through the service's own
 * session manager, the way a completed login would, without a provider round trip.
 * Pass the running service's (`harness.service.sessions`) so forwardAuth finds it.
 */
export async function seedSession(sessions: SessionManager, options: SeedOptions = {}): Promise<SeededSession> {
  const createdAt = options.createdAt ?? nowSeconds();
  const claims = options.claims ?? (options.sub ? { ...ALICE_CLAIMS, sub: options.sub } : ALICE_CLAIMS);
  const session: Session = {
    sub: options.sub ?? String(claims.sub ?? 'alice'),
    claims,
    sid: options.sid,
    idToken: options.idToken,
    accessToken: options.accessToken,
    refreshToken: options.refreshToken,
    createdAt,
    lastSeenAt: options.lastSeenAt ?? createdAt,
    expiresAt: options.expiresAt ?? createdAt + 3600,
  };
  const before = options.cookie ?? '';
  const setCookies = await sessions.create(session, asCookies(before));
  return { session, setCookies, cookie: cookieHeader(setCookies, before) };
}
