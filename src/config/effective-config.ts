import type { Logger } from '../observability/logger.js';
import type { Config } from './config.js';

/** What a secret is replaced with in the logged configuration. */
export const REDACTED = '**REDACTED**';

/** The URL without user name or password (a Redis URL may carry its password). */
function withoutCredentials(href: string | undefined): string | undefined {
  if (href === undefined) return undefined;
  const url = new URL(href);
  url.username = '';
  url.password = '';
  return url.href;
}

const hidden = (secret: string | undefined) => (secret === undefined ? undefined : REDACTED);

/**
 * The configuration in effect, keyed by variable name, with every secret replaced by
 * `**REDACTED**` and credentials removed from URLs (key and token files by path only). `OIDC_ISSUER_URL` is the issuer in
 * use, also when it was derived from `AZURE_TENANT_ID`; `HEADERS` lists names only,
 * since a template may hold literal text such as an API key.
 */
export function effectiveConfig(c: Config): Record<string, unknown> {
  return {
    OIDC_ISSUER_URL: withoutCredentials(c.issuerUrl.href),
    OIDC_ALLOW_INSECURE_HTTP: c.allowInsecureHttp,
    OIDC_CLIENT_ID: c.clientId,
    OIDC_CLIENT_SECRET: hidden(c.clientSecret),
    OIDC_CLIENT_JWK_FILE: c.clientAuth.method === 'private_key_jwt' ? c.clientAuth.jwkFile : undefined,
    OIDC_CLIENT_ASSERTION_FILE: c.clientAuth.method === 'federated_assertion' ? c.clientAuth.assertionFile : undefined,
    OIDC_SCOPES: c.scopes,
    DOMAIN: c.domain,
    PUBLIC_SCHEME: c.publicScheme,
    CALLBACK_PATH: c.callbackPath,
    LOGIN_PATH: c.loginPath,
    LOGOUT_PATH: c.logoutPath,
    POST_LOGIN_REDIRECT_PATH: c.postLoginRedirectPath,
    POST_LOGOUT_REDIRECT_URI: withoutCredentials(c.postLogoutRedirectUri),
    UNAUTHENTICATED_BEHAVIOR: c.unauthenticatedBehavior,
    ERROR_REDIRECT_PATH: c.errorRedirectPath,
    UPSTREAM_URL: withoutCredentials(c.upstreamUrl?.href),
    BYPASS_PATHS: c.bypassPaths,
    ASSERT_CLAIMS: c.assertClaims,
    ENTRA_GROUPS_OVERAGE: c.groupsOverage,
    ENTRA_GRAPH_URL: c.graphUrl.href,
    BEARER_AUTH: c.bearer.enabled,
    BEARER_AUDIENCES: c.bearer.audiences,
    BEARER_ISSUERS: c.bearer.issuers,
    BEARER_ACCEPT_V1: c.bearer.acceptV1,
    BEARER_CLOCK_SKEW: c.bearer.clockSkew,
    BEARER_ONLY_PATHS: c.bearer.onlyPaths,
    ACCESS_POLICY: c.bearer.accessPolicy,
    HEADERS: c.headers.map((h) => h.name),
    AUTHORIZATION_HEADER: c.authorizationHeader,
    ID_TOKEN_HEADER: c.idTokenHeader,
    SESSION_SECRET: REDACTED,
    SESSION_SECRETS: c.sessionSecrets.map(() => REDACTED),
    SESSION_STORE: c.sessionStore,
    SESSION_MAX_AGE: c.sessionMaxAge,
    SESSION_IDLE_TIMEOUT: c.sessionIdleTimeout,
    SESSION_CACHE_TTL: c.sessionCacheTtl,
    SESSION_CACHE_SIZE: c.sessionCacheSize,
    SESSION_FALLBACK: c.sessionFallback,
    SESSION_FALLBACK_MAX_AGE: c.sessionFallbackMaxAge,
    SESSION_FALLBACK_RESTORE: c.sessionFallbackRestore,
    TOKEN_REFRESH: c.tokenRefresh,
    TOKEN_REFRESH_MARGIN: c.tokenRefreshMargin,
    COOKIE_NAME_PREFIX: c.cookieNamePrefix,
    COOKIE_DOMAIN: c.cookieDomain,
    COOKIE_SAMESITE: c.cookieSameSite,
    COOKIE_SECURE: c.cookieSecure,
    REDIS_URL: withoutCredentials(c.redis.url),
    REDIS_PASSWORD: hidden(c.redis.password),
    REDIS_SENTINELS: c.redis.sentinels.map((s) => `${s.host}:${s.port}`),
    REDIS_SENTINEL_MASTER: c.redis.sentinelMaster,
    REDIS_CLUSTER_NODES: c.redis.clusterNodes.map((s) => `${s.host}:${s.port}`),
    REDIS_COMMAND_TIMEOUT: c.redis.commandTimeoutMs,
    PORT: c.port,
    PROBE_PORT: c.probePort,
    HOST: c.host,
    WORKERS: c.workers,
    LOG_LEVEL: c.logLevel,
    SHUTDOWN_TIMEOUT: c.shutdownTimeout,
    TOKEN_API_ADDRESS: c.tokenApi
      ? `${c.tokenApi.host.includes(':') ? `[${c.tokenApi.host}]` : c.tokenApi.host}:${c.tokenApi.port}`
      : undefined,
    TOKEN_API_ALLOW_REMOTE: c.tokenApi?.allowRemote,
    TOKEN_EXCHANGE_GRANT: c.tokenApi?.exchangeGrant,
    DOWNSTREAM_APIS: c.tokenApi
      ? Object.fromEntries(
          [...c.tokenApi.downstreamApis].map(([name, api]) => [name, `${api.httpMethod} ${api.baseUrl}`]),
        )
      : undefined,
  };
}

/** Writes the effective configuration as one `config` log line; call once per process start. */
export function logEffectiveConfig(logger: Logger, config: Config): void {
  logger.info({ event: 'config', config: effectiveConfig(config) }, 'effective configuration');
}
