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
  /**
   * Through with no identity headers: a bypass path, or (`anonymous`) a request without a
   * session under `UNAUTHENTICATED_BEHAVIOR=pass`.
   */
  | { readonly kind: 'bypass'; readonly anonymous?: true; readonly setCookies: readonly string[] }
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
      /** Login with `prompt=select_account`, returning to the refused page. */
      readonly switchAccountUrl: string;
      readonly setCookies: readonly string[];
    }
  /** A JSON answer of the service's own (the session endpoint), always `Cache-Control: no-store`. */
  | {
      readonly kind: 'json';
      readonly status: number;
      readonly body: Readonly<Record<string, unknown>>;
      readonly headers?: Readonly<Record<string, string>> | undefined;
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
  | { readonly kind: 'signed-out'; readonly loginUrl: string; readonly setCookies: readonly string[] }
  /** Front-channel logout done: a small page the provider may frame (`frameAncestor`: the issuer's origin). */
  | {
      readonly kind: 'frontchannel-logout';
      readonly frameAncestor: string;
      readonly loginUrl: string;
      /** Through forwardAuth: answered like the signed-out page (401), since a 2xx would pass the request to the app. */
      readonly forwarded: boolean;
      readonly setCookies: readonly string[];
    }
  /** Local logout done: 204, the session cookies cleared. */
  | { readonly kind: 'signed-out-local'; readonly setCookies: readonly string[] };

/** The original request as the gate sees it, whether it came from forwardAuth or directly. */
export interface GateRequest {
  /** The original method (X-Forwarded-Method in forwardAuth mode). */
  readonly method: string;
  /** Path and query of the original request. */
  readonly uri: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly cookies: Readonly<Record<string, string | undefined>>;
  /** True when it arrived as a forwardAuth subrequest, where any 2xx answer passes the request on to the app. */
  readonly forwarded?: boolean | undefined;
  /** The correlation id shown to the user and logged; made on first use. */
  readonly correlationId: () => string;
}
