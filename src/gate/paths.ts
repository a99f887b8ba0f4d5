/**
 * Every path the service owns, declared once. The gate and the HTTP layer both read
 * them from here; the configurable ones (login, callback, logout) are resolved once
 * from the configuration by `resolvePaths`.
 *
 * On the app's domain the service owns the `/oauth2` prefix; in forwardAuth mode
 * Traefik routes it to the service, in sidecar mode the service answers it itself.
 */

/** The prefix of the service's own paths on the app's domain. */
export const OAUTH2_PREFIX = '/oauth2';

/** Traefik's forwardAuth address: checks the session of every request to the app. */
export const FORWARD_AUTH_PATH = `${OAUTH2_PREFIX}/auth`;
/** Default `LOGIN_PATH`: starts the Authorization Code flow. */
export const DEFAULT_LOGIN_PATH = `${OAUTH2_PREFIX}/login`;
/** Default `CALLBACK_PATH`: the redirect URI the provider sends the browser back to. */
export const DEFAULT_CALLBACK_PATH = `${OAUTH2_PREFIX}/callback`;
/** Default `LOGOUT_PATH`: ends the session here and at the provider (GET or POST). */
export const DEFAULT_LOGOUT_PATH = `${OAUTH2_PREFIX}/logout`;
/** The page shown after logout; the default post-logout redirect URI. */
export const SIGNED_OUT_PATH = `${OAUTH2_PREFIX}/signed-out`;

/** Front-channel logout by `sid`, in an iframe from the provider (GET). */
export const LOGOUT_FRONTCHANNEL_PATH = `${OAUTH2_PREFIX}/logout/frontchannel`;
/** Back-channel logout: the provider POSTs a `logout_token`, to the service directly (never through forwardAuth). */
export const LOGOUT_BACKCHANNEL_PATH = `${OAUTH2_PREFIX}/logout/backchannel`;
/** Ends the local session only, without single logout at the provider: 204. */
export const LOGOUT_LOCAL_PATH = `${OAUTH2_PREFIX}/logout/local`;
/** The current session's metadata as JSON (`GET`); 401 JSON without a session, never a redirect. */
export const SESSION_PATH = `${OAUTH2_PREFIX}/session`;
/** Refreshes the current session's tokens now (`POST`, with a cooldown); answers like `SESSION_PATH`. */
export const SESSION_REFRESH_PATH = `${OAUTH2_PREFIX}/session/refresh`;

/** Liveness: 200 while the process runs (probe listener; also the public one in forwardAuth mode). */
export const HEALTHZ_PATH = '/healthz';
/** Readiness: provider metadata loaded and the session store reachable (same listeners as `/healthz`). */
export const READYZ_PATH = '/readyz';
/** Prometheus metrics: probe listener only; the public listener answers 404. */
export const METRICS_PATH = '/metrics';

/** Paths declared for the flows to come; until they are served they are ordinary app paths (checked, or 404). */
export const NOT_YET_SERVED: readonly string[] = [];

/** The flow paths on the app's domain, resolved once from the configuration. */
export interface ServicePaths {
  /** `LOGIN_PATH`: starts a login. */
  readonly login: string;
  /** `CALLBACK_PATH`: completes a login. */
  readonly callback: string;
  /** `LOGOUT_PATH`: ends the session (GET, or POST for CSRF-safe forms). */
  readonly logout: string;
  /** The signed-out page. */
  readonly signedOut: string;
}

/** Reads the configurable paths; the rest are the constants above. */
export function resolvePaths(config: {
  readonly loginPath: string;
  readonly callbackPath: string;
  readonly logoutPath: string;
}): ServicePaths {
  return {
    login: config.loginPath,
    callback: config.callbackPath,
    logout: config.logoutPath,
    signedOut: SIGNED_OUT_PATH,
  };
}

/**
 * The path a request is matched on: everything before the first `?`. A `#` is part
 * of the path: browsers never send a fragment, and proxies hand a raw `#` on to the
 * app, so `/metrics#/../admin` must not match `/metrics` (docs/security.md).
 */
export function matchPath(uri: string): string {
  const query = uri.indexOf('?');
  return query === -1 ? uri : uri.slice(0, query);
}
