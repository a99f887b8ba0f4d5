import type { ClaimRule } from '../authz/claim-rules.js';

/** Where sessions live. See docs/configuration.md#session_store. */
export type SessionStoreKind = 'cookie' | 'redis' | 'memory';

/** What an unauthenticated request gets. `auto`: redirect navigations, 401 for fetch/XHR. */
export type UnauthenticatedBehavior = 'auto' | 'unauthorized';

/** A custom identity header: `value` is a template such as `{{ .claims.email }}`. */
export interface HeaderTemplate {
  readonly name: string;
  readonly value: string;
}

/** Redis connection settings, used when `sessionStore` is `redis`. */
export interface RedisConfig {
  /** `REDIS_URL`: `redis://` or `rediss://` URL. Required for the redis store. */
  readonly url: string | undefined;
  /** `REDIS_PASSWORD` / `REDIS_PASSWORD_FILE`: overrides a password in the URL. Default: none. */
  readonly password: string | undefined;
  /** `REDIS_SENTINELS`: `host:port` list; when set, the master is found through Sentinel. */
  readonly sentinels: readonly { host: string; port: number }[];
  /** `REDIS_SENTINEL_MASTER`: the Sentinel master name. Default `mymaster`. */
  readonly sentinelMaster: string;
}

/**
 * The whole service configuration, read once from the environment by `loadConfig`
 * and frozen. Every field names its variable; docs/configuration.md documents each.
 */
export interface Config {
  /** `OIDC_ISSUER_URL`, or derived from `AZURE_TENANT_ID` as `https://login.microsoftonline.com/<id>/v2.0`. */
  readonly issuerUrl: URL;
  /** `OIDC_CLIENT_ID` / `OIDC_CLIENT_ID_FILE`: the client registered at the provider. Required. */
  readonly clientId: string;
  /** `OIDC_CLIENT_SECRET` / `OIDC_CLIENT_SECRET_FILE`: the client's secret. Required. */
  readonly clientSecret: string;
  /** `OIDC_SCOPES`: space- or comma-separated scopes. Default `openid profile email`; `openid` is always added. */
  readonly scopes: readonly string[];
  /** `OIDC_ALLOW_INSECURE_HTTP`: accept an `http://` issuer (development and tests only). Default false. */
  readonly allowInsecureHttp: boolean;
  /** `SESSION_SECRET` / `SESSION_SECRET_FILE`: exactly 32 characters (`openssl rand -hex 16`); keys are derived from it. */
  readonly sessionSecret: string;
  /** The session secrets, current first: cookies are sealed and ids signed with the first, accepted under any. Today `[SESSION_SECRET]`. */
  readonly sessionSecrets: readonly string[];
  /** `DOMAIN`: the app's host (and port, if not the default), without scheme. Required. */
  readonly domain: string;
  /** `PUBLIC_SCHEME`: scheme the browser uses to reach the app, `https` (default) or `http` (local use only). */
  readonly publicScheme: 'https' | 'http';
  /** `CALLBACK_PATH`: redirect URI path on the app's domain. Default `/oauth2/callback`. */
  readonly callbackPath: string;
  /** `LOGIN_PATH`: starts a login; honours `?redirect=`. Default `/oauth2/login`. */
  readonly loginPath: string;
  /** `LOGOUT_PATH`: ends the session, then the provider's session. Default `/oauth2/logout`. */
  readonly logoutPath: string;
  /** `POST_LOGIN_REDIRECT_PATH`: where a login without a return-to URL lands. Default `/`. */
  readonly postLoginRedirectPath: string;
  /** `POST_LOGOUT_REDIRECT_URI`: absolute URL the provider sends the browser to after logout. Default `<scheme>://<DOMAIN>/oauth2/signed-out`. */
  readonly postLogoutRedirectUri: string;
  /** `COOKIE_NAME_PREFIX`: prefix of every cookie the service sets. Default `_idp_`. */
  readonly cookieNamePrefix: string;
  /** `COOKIE_DOMAIN`: Domain attribute of the session cookie. Default: none (host-only, safest). */
  readonly cookieDomain: string | undefined;
  /** `COOKIE_SAMESITE`: `Lax` (default), `Strict` or `None` for the session cookie. */
  readonly cookieSameSite: 'Lax' | 'Strict' | 'None';
  /** `COOKIE_SECURE`: Secure flag on cookies. Default true; false only for plain-http local use. */
  readonly cookieSecure: boolean;
  /** `SESSION_STORE`: `cookie` (default), `redis` or `memory` (one process, development). */
  readonly sessionStore: SessionStoreKind;
  /** `SESSION_MAX_AGE`: absolute session lifetime in seconds. Default 43200 (12 h). */
  readonly sessionMaxAge: number;
  /** `SESSION_IDLE_TIMEOUT`: seconds without a request before a session ends. Default 3600. */
  readonly sessionIdleTimeout: number;
  /** `SESSION_CACHE_TTL`: seconds a checked session is served from the in-process cache (bounds cross-replica logout). Default 5, at most 5. */
  readonly sessionCacheTtl: number;
  /** `SESSION_CACHE_SIZE`: sessions kept in the in-process cache. Default 10000. */
  readonly sessionCacheSize: number;
  /** Redis settings (`REDIS_*`). */
  readonly redis: RedisConfig;
  /** `BYPASS_PATHS`: comma-separated exact paths that pass without login. Default none. */
  readonly bypassPaths: readonly string[];
  /** `ASSERT_CLAIMS`: JSON list of `{name, anyOf|allOf}` rules; every rule must hold. Default none. */
  readonly assertClaims: readonly ClaimRule[];
  /** `HEADERS`: JSON list of `{name, value}` custom identity headers. Default none. */
  readonly headers: readonly HeaderTemplate[];
  /** `AUTHORIZATION_HEADER`: header that receives `Bearer <access token>`. Default none (not forwarded). */
  readonly authorizationHeader: string | undefined;
  /** `ID_TOKEN_HEADER`: header that receives the raw id_token. Default none. */
  readonly idTokenHeader: string | undefined;
  /** `UNAUTHENTICATED_BEHAVIOR`: `auto` (default) or `unauthorized` (always 401, never redirect). */
  readonly unauthenticatedBehavior: UnauthenticatedBehavior;
  /** `UPSTREAM_URL`: when set, sidecar mode: the service proxies allowed requests to this URL. */
  readonly upstreamUrl: URL | undefined;
  /** `PORT`: TCP port to listen on. Default 4180. */
  readonly port: number;
  /** `HOST`: address to bind. Default `0.0.0.0`. */
  readonly host: string;
  /**
   * `PROBE_PORT`: TCP port (on `HOST`) of the probe listener for the kubelet and Prometheus:
   * `/healthz`, `/readyz`, `/metrics`. Default 4181; 0 picks a free port. The loopback token
   * API listener to come (`TOKEN_API_ADDRESS`) is not yet available: setting it is refused.
   */
  readonly probePort: number;
  /** `WORKERS`: worker processes (Node cluster). Default 1. */
  readonly workers: number;
  /** `LOG_LEVEL`: `trace`, `debug`, `info` (default), `warn`, `error` or `fatal`. */
  readonly logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  /** `SHUTDOWN_TIMEOUT`: seconds to finish in-flight requests after SIGTERM. Default 10. */
  readonly shutdownTimeout: number;
  /** Non-fatal remarks found while loading (insecure settings, memory store): logged at start. */
  readonly warnings: readonly string[];
}
