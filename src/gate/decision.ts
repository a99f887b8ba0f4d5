import type { Challenge } from '../authz/bearer/bearer-challenge.js';

/**
 * What the gate decided for one request; `src/http/respond.ts` turns it into a
 * response. Set-Cookie values ride along with every kind.
 */
export type Decision =
  /** Let the request through with these identity headers. */
  | {
      readonly kind: 'allow';
      readonly headers: Readonly<Record<string, string>>;
      readonly setCookies: readonly string[];
    }
  /** A bypass path: through, with no identity headers. */
  | { readonly kind: 'bypass'; readonly setCookies: readonly string[] }
  /** Send the browser elsewhere (login, back after callback, logout). */
  | {
      readonly kind: 'redirect';
      readonly reason: 'login' | 'return' | 'logout';
      readonly location: string;
      readonly setCookies: readonly string[];
    }
  /** No session and not a navigation: 401 with where to log in. */
  | { readonly kind: 'unauthenticated'; readonly loginUrl: string; readonly setCookies: readonly string[] }
  /** Logged in but `assertClaims` failed: 403. */
  | {
      readonly kind: 'forbidden';
      readonly user: string | undefined;
      readonly logoutUrl: string;
      readonly setCookies: readonly string[];
    }
  /**
   * A bearer request refused (RFC 6750): 400, 401 or 403 with `WWW-Authenticate`, a JSON
   * body and `Cache-Control: no-store`; never a Set-Cookie (`setCookies` is always empty).
   */
  | {
      readonly kind: 'bearer-refused';
      readonly status: 400 | 401 | 403;
      readonly challenge: Challenge;
      readonly setCookies: readonly [];
    }
  /** The page shown after logout. */
  | { readonly kind: 'signed-out'; readonly loginUrl: string; readonly setCookies: readonly string[] };

/** The original request as the gate sees it, whether it came from forwardAuth or directly. */
export interface GateRequest {
  /** The original method (X-Forwarded-Method in forwardAuth mode). */
  readonly method: string;
  /** Path and query of the original request. */
  readonly uri: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly cookies: Readonly<Record<string, string | undefined>>;
  /** The correlation id shown to the user and logged; made on first use. */
  readonly correlationId: () => string;
}
