import type { AuthzConfig } from './sections/authz.js';
import type { BearerConfig, BearerSectionConfig } from './sections/bearer.js';
import type { CookieConfig } from './sections/cookie.js';
import type { HeadersConfig } from './sections/headers.js';
import type { HttpConfig } from './sections/http.js';
import type { OidcConfig } from './sections/oidc.js';
import type { RedisConfig } from './sections/redis.js';
import type { RefreshConfig } from './sections/refresh.js';
import type { ServerConfig } from './sections/server.js';
import type { SessionConfig } from './sections/session.js';
import type { TokenApiConfig, TokenApiSectionConfig } from './sections/token-api.js';

export type {
  AuthzConfig,
  BearerConfig,
  CookieConfig,
  HeadersConfig,
  HttpConfig,
  OidcConfig,
  RedisConfig,
  RefreshConfig,
  ServerConfig,
  SessionConfig,
  TokenApiConfig,
};
export type { HeaderTemplate } from './sections/headers.js';
export type { GroupsOverage } from './sections/authz.js';
export type { UnauthenticatedBehavior } from './sections/http.js';
export type { SessionStoreKind } from './sections/session.js';
export type { TokenRefreshMode } from './sections/refresh.js';

/**
 * The whole service configuration, read once from the environment by `loadConfig`
 * and frozen: the parts of every section (`src/config/sections/*.ts`), whose fields
 * name their variable. docs/configuration.md documents each variable.
 */
export type Config = OidcConfig &
  HttpConfig &
  AuthzConfig &
  BearerSectionConfig &
  HeadersConfig &
  SessionConfig &
  RefreshConfig &
  CookieConfig &
  ServerConfig &
  TokenApiSectionConfig & {
    /** Redis settings (`REDIS_*`). */
    readonly redis: RedisConfig;
    /** Non-fatal remarks found while loading (insecure settings, memory store): logged at start. */
    readonly warnings: readonly string[];
  };
