import http from 'node:http';
import type { Config, TokenApiConfig } from '../config/index.js';
import type { Logger } from '../observability/logger.js';
import type { OidcClient } from '../oidc/oidc-client.js';
import { createTokenApiApp, type TokenApiApp } from './create-token-api-app.js';
import { createOpenidGrants } from './grants.js';
import { createTokenValidator, introspectWith } from './introspector.js';
import { sidecarRoutes } from './sidecar-routes.js';
import { TokenCache } from './token-cache.js';

/** The token API of a running service, not yet listening. */
export interface ServiceTokenApi {
  readonly app: TokenApiApp;
  readonly cache: TokenCache;
  readonly config: TokenApiConfig;
}

/**
 * Builds the token API of the service from its configuration: the texas routes
 * and the Microsoft sidecar routes over one token cache (per process: with
 * `WORKERS>1` every worker has its own), the service's own client for every
 * grant, and the bearer validator on the discovered metadata, without the access policy
 * (audiences, issuers, tenants and clock skew from the `BEARER_*` settings).
 */
export function createServiceTokenApi(
  config: Config & { readonly tokenApi: TokenApiConfig },
  oidc: OidcClient,
  logger: Logger,
): ServiceTokenApi {
  const { tokenApi } = config;
  const configuration = () => oidc.discovered;
  const grants = createOpenidGrants({ configuration, exchangeGrant: tokenApi.exchangeGrant, logger });
  const cache = new TokenCache();
  const validator = createTokenValidator({
    configuration,
    // The bearer section's audiences, issuers, tenants (its `tid` rule allow-list) and clock skew.
    audiences: config.bearer.audiences,
    ...(config.bearer.issuers !== undefined ? { issuers: config.bearer.issuers } : {}),
    tenants: config.bearer.tenants,
    clockSkew: config.bearer.clockSkew,
  });
  const app = createTokenApiApp({
    allowRemote: tokenApi.allowRemote,
    logger,
    texas: { introspect: introspectWith(validator), grants, cache },
    routers: [sidecarRoutes({ validator, grants, cache, apis: tokenApi.downstreamApis, logger })],
  });
  return { app, cache, config: tokenApi };
}

/** The token API's own server: no upgrades, the same request bounds as the public listener. */
export function createTokenApiServer(app: TokenApiApp, maxHeaderSize: number): http.Server {
  return http.createServer({ maxHeaderSize, keepAliveTimeout: 65_000, requestTimeout: 60_000 }, app.handle);
}
