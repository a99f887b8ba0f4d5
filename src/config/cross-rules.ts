import type { Config } from './config.js';
import type { EnvReader } from './env-reader.js';
import { isMultiTenant } from './sections/oidc.js';

/**
 * Rules that join variables of different sections. Each one names the variables
 * involved, so the operator knows which to change.
 */
export function crossSectionProblems(config: Omit<Config, 'warnings'>, r: EnvReader): string[] {
  const problems: string[] = [];
  const { redis } = config;
  if (
    config.sessionStore === 'redis' &&
    redis.url === undefined &&
    redis.sentinels.length === 0 &&
    redis.clusterNodes.length === 0 &&
    r.raw('REDIS_URL') === undefined
  ) {
    problems.push('REDIS_URL is required when SESSION_STORE=redis (or set REDIS_SENTINELS or REDIS_CLUSTER_NODES)');
  }
  if (config.tokenRefresh !== 'off' && config.tokenRefreshMargin <= config.sessionCacheTtl) {
    problems.push(
      `TOKEN_REFRESH_MARGIN (${config.tokenRefreshMargin}) must exceed SESSION_CACHE_TTL (${config.sessionCacheTtl}): another replica may serve a cached session that long after a refresh`,
    );
  }
  if (isMultiTenant(config.issuerUrl) && !config.assertClaims.some((rule) => rule.name === 'tid')) {
    problems.push(
      `${r.raw('AZURE_TENANT_ID') !== undefined ? 'AZURE_TENANT_ID' : 'OIDC_ISSUER_URL'} names a multi-tenant Entra endpoint, which signs in users of every tenant: ` +
        'add an ASSERT_CLAIMS rule on tid, e.g. [{"name":"tid","anyOf":["<your tenant id>"]}]',
    );
  }
  for (const [name, api] of config.tokenApi?.downstreamApis ?? []) {
    if (api.baseUrl.startsWith('http:') && !config.allowInsecureHttp)
      problems.push(`DOWNSTREAM_APIS.${name}.BaseUrl must use https (http only with OIDC_ALLOW_INSECURE_HTTP=true)`);
  }
  return problems;
}
