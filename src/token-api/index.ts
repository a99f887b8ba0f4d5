export {
  createTokenApiApp,
  NO_STORE_HEADERS,
  type TokenApiApp,
  type TokenApiAppOptions,
} from './create-token-api-app.js';
export {
  createOpenidGrants,
  toTokenApiError,
  type OpenidGrantsOptions,
  type TokenExchangeGrant,
  type TokenGrants,
} from './grants.js';
export { isAllowedHost, isLoopbackPeer } from './loopback.js';
export {
  TEXAS_PATHS,
  texasRoutes,
  type IntrospectionResult,
  type IntrospectToken,
  type TexasRoutesDeps,
} from './texas-routes.js';
export { TokenCache, type ProviderToken, type ServedToken, type TokenCacheOptions } from './token-cache.js';
export { TokenApiError } from './token-api-error.js';
