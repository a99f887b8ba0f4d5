import { readFileSync } from 'node:fs';
import { parseClaimRules } from '../authz/claim-rules.js';
import { bypassPathProblems } from '../authz/bypass-paths.js';
import { parseHeaderTemplates } from './header-templates.js';
import type { Config } from './config.js';
import { EnvReader, type Env } from './env-reader.js';

/** Thrown when the environment is not a valid configuration; lists every problem. */
export class ConfigError extends Error {
  readonly code = 'ERR_CONFIG';
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const PATH = /^\/[^\s?#]*$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const COOKIE_PREFIX = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,32}$/;

function path(r: EnvReader, name: string, fallback: string): string {
  const value = r.string(name, fallback);
  if (!PATH.test(value) || value.startsWith('//')) r.problems.push(`${name} must be a path starting with / (got "${value}")`);
  return value;
}

function headerName(r: EnvReader, name: string): string | undefined {
  const value = r.raw(name);
  if (value !== undefined && !HEADER_NAME.test(value)) r.problems.push(`${name} is not a valid header name (got "${value}")`);
  return value;
}

/** Headers the service must never set on a forwarded request: framing, routing and cookies. */
const RESERVED_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'te', 'trailer', 'host', 'cookie', 'set-cookie', 'location', 'content-type', 'proxy-authorization', 'proxy-authenticate']);

/** Identity header names must not be reserved, nor repeat each other (case and `_`/`-` ignored). */
function identityHeaderProblems(entries: readonly { variable: string; name: string }[]): string[] {
  const seen = new Map<string, string>([['x-forwarded-user', 'X-Forwarded-User (built in)'], ['x-forwarded-email', 'X-Forwarded-Email (built in)'], ['x-forwarded-subject', 'X-Forwarded-Subject (built in)']]);
  const problems: string[] = [];
  for (const { variable, name } of entries) {
    const key = name.toLowerCase().replace(/_/g, '-');
    if (RESERVED_HEADERS.has(key)) problems.push(`${variable}: "${name}" is a reserved header and cannot carry identity`);
    else if (seen.has(key)) problems.push(`${variable}: "${name}" repeats ${seen.get(key)}`);
    else seen.set(key, `${variable} "${name}"`);
  }
  return problems;
}

/** Entra's `common`, `organizations` and `consumers` endpoints (and `{tenantid}` templates) accept any tenant. */
function isMultiTenant(issuer: URL): boolean {
  if (issuer.hostname !== 'login.microsoftonline.com') return false;
  const tenant = decodeURIComponent(issuer.pathname.split('/')[1] ?? '').toLowerCase();
  return ['common', 'organizations', 'consumers', '{tenantid}'].includes(tenant);
}

function issuer(r: EnvReader, allowInsecureHttp: boolean): URL {
  const url = r.raw('OIDC_ISSUER_URL');
  const tenant = r.raw('AZURE_TENANT_ID');
  if (url !== undefined && tenant !== undefined) r.problems.push('OIDC_ISSUER_URL and AZURE_TENANT_ID are both set; set only one');
  if (tenant !== undefined && !/^[0-9a-zA-Z.-]+$/.test(tenant)) r.problems.push(`AZURE_TENANT_ID must be a tenant id or domain (got "${tenant}")`);
  const value = url ?? (tenant !== undefined ? `https://login.microsoftonline.com/${tenant}/v2.0` : undefined);
  r.required('OIDC_ISSUER_URL', value, 'set OIDC_ISSUER_URL, or AZURE_TENANT_ID for Entra ID');
  const parsed = r.url('OIDC_ISSUER_URL', value, allowInsecureHttp ? ['https', 'http'] : ['https']);
  if (parsed?.protocol === 'http:') r.warnings.push('OIDC_ALLOW_INSECURE_HTTP: accepting an http:// issuer; never do this in production');
  if (value !== undefined && parsed === undefined && value.startsWith('http:')) {
    r.problems.push('OIDC_ISSUER_URL uses http://; set OIDC_ALLOW_INSECURE_HTTP=true for local development only');
  }
  return parsed ?? new URL('https://invalid.invalid');
}

/**
 * Builds the frozen configuration from an environment (normally `process.env`),
 * reporting every problem at once. The only place that reads variables.
 */
export function loadConfig(env: Env, options: { readFile?: (path: string) => string } = {}): Config {
  const r = new EnvReader(env, options.readFile ?? ((p) => readFileSync(p, 'utf8')));
  const allowInsecureHttp = r.boolean('OIDC_ALLOW_INSECURE_HTTP', false);
  const issuerUrl = issuer(r, allowInsecureHttp);
  const clientId = r.required('OIDC_CLIENT_ID', r.secret('OIDC_CLIENT_ID'));
  const clientSecret = r.required('OIDC_CLIENT_SECRET', r.secret('OIDC_CLIENT_SECRET'));
  const sessionSecret = r.required('SESSION_SECRET', r.secret('SESSION_SECRET'), 'generate one with `openssl rand -hex 16`');
  if (sessionSecret !== '' && sessionSecret.length !== 32) {
    r.problems.push(`SESSION_SECRET must be exactly 32 characters (got ${sessionSecret.length}); generate one with \`openssl rand -hex 16\``);
  }
  const domain = r.required('DOMAIN', r.raw('DOMAIN'), 'the app host, e.g. myapp.example.com')
    .toLowerCase();
  if (domain !== '' && !/^[a-z0-9.-]+(:\d{1,5})?$/.test(domain)) r.problems.push(`DOMAIN must be a host name with an optional port, without scheme or path (got "${domain}")`);
  const publicScheme = r.oneOf('PUBLIC_SCHEME', ['https', 'http'] as const, 'https');
  if (publicScheme === 'http') r.warnings.push('PUBLIC_SCHEME=http: the app is reached over plain http; local use only');

  const scopes = r.list('OIDC_SCOPES');
  const scopeList = scopes.length > 0 ? scopes : ['openid', 'profile', 'email'];
  if (!scopeList.includes('openid')) scopeList.unshift('openid');

  const sessionStore = r.oneOf('SESSION_STORE', ['cookie', 'redis', 'memory'] as const, 'cookie');
  if (sessionStore === 'memory') r.warnings.push('SESSION_STORE=memory keeps sessions in this process only: use it for development, never with several replicas');
  const redisUrl = r.url('REDIS_URL', r.raw('REDIS_URL'), ['redis', 'rediss']);
  const sentinels = r.list('REDIS_SENTINELS').map((s) => {
    const m = /^([^:\s]+):(\d{1,5})$/.exec(s);
    if (!m) r.problems.push(`REDIS_SENTINELS: "${s}" must be host:port`);
    return { host: m?.[1] ?? '', port: Number(m?.[2] ?? 0) };
  });
  if (sessionStore === 'redis' && redisUrl === undefined && sentinels.length === 0 && r.raw('REDIS_URL') === undefined) {
    r.problems.push('REDIS_URL is required when SESSION_STORE=redis (or set REDIS_SENTINELS)');
  }

  const cookieNamePrefix = r.string('COOKIE_NAME_PREFIX', '_idp_');
  if (!COOKIE_PREFIX.test(cookieNamePrefix)) r.problems.push(`COOKIE_NAME_PREFIX must be 1-32 cookie-name characters (got "${cookieNamePrefix}")`);
  const cookieSameSite = r.oneOf('COOKIE_SAMESITE', ['Lax', 'Strict', 'None'] as const, 'Lax');
  const cookieSecure = r.boolean('COOKIE_SECURE', true);
  if (!cookieSecure) r.warnings.push('COOKIE_SECURE=false: session cookies may travel over plain http');
  if (cookieSameSite === 'None' && !cookieSecure) r.problems.push('COOKIE_SAMESITE=None requires COOKIE_SECURE=true');

  const bypassPaths = r.list('BYPASS_PATHS');
  r.problems.push(...bypassPathProblems(bypassPaths, 'BYPASS_PATHS'));
  const claims = parseClaimRules(r.json('ASSERT_CLAIMS'), 'ASSERT_CLAIMS');
  r.problems.push(...claims.problems);
  const headers = parseHeaderTemplates(r.json('HEADERS'), 'HEADERS');
  r.problems.push(...headers.problems);

  const authorizationHeader = headerName(r, 'AUTHORIZATION_HEADER');
  const idTokenHeader = headerName(r, 'ID_TOKEN_HEADER');
  r.problems.push(...identityHeaderProblems([
    ...headers.templates.map((h) => ({ variable: 'HEADERS', name: h.name })),
    ...(authorizationHeader ? [{ variable: 'AUTHORIZATION_HEADER', name: authorizationHeader }] : []),
    ...(idTokenHeader ? [{ variable: 'ID_TOKEN_HEADER', name: idTokenHeader }] : []),
  ]));
  if (isMultiTenant(issuerUrl) && !claims.rules.some((rule) => rule.name === 'tid')) {
    r.problems.push(
      `${r.raw('AZURE_TENANT_ID') !== undefined ? 'AZURE_TENANT_ID' : 'OIDC_ISSUER_URL'} names a multi-tenant Entra endpoint, which signs in users of every tenant: ` +
        'add an ASSERT_CLAIMS rule on tid, e.g. [{"name":"tid","anyOf":["<your tenant id>"]}]',
    );
  }

  const upstreamUrl = r.url('UPSTREAM_URL', r.raw('UPSTREAM_URL'), ['http', 'https']);
  const origin = `${publicScheme}://${domain}`;
  const postLogoutRedirectUri = r.url('POST_LOGOUT_REDIRECT_URI', r.raw('POST_LOGOUT_REDIRECT_URI'), ['https', 'http'])?.href ?? `${origin}/oauth2/signed-out`;

  const config: Config = {
    issuerUrl,
    clientId,
    clientSecret,
    scopes: scopeList,
    allowInsecureHttp,
    sessionSecret,
    domain,
    publicScheme,
    callbackPath: path(r, 'CALLBACK_PATH', '/oauth2/callback'),
    loginPath: path(r, 'LOGIN_PATH', '/oauth2/login'),
    logoutPath: path(r, 'LOGOUT_PATH', '/oauth2/logout'),
    postLoginRedirectPath: path(r, 'POST_LOGIN_REDIRECT_PATH', '/'),
    postLogoutRedirectUri,
    cookieNamePrefix,
    cookieDomain: r.raw('COOKIE_DOMAIN'),
    cookieSameSite,
    cookieSecure,
    sessionStore,
    sessionMaxAge: r.integer('SESSION_MAX_AGE', 43200, 60, 31 * 86400),
    sessionIdleTimeout: r.integer('SESSION_IDLE_TIMEOUT', 3600, 60, 31 * 86400),
    sessionCacheTtl: r.integer('SESSION_CACHE_TTL', 5, 0, 5),
    sessionCacheSize: r.integer('SESSION_CACHE_SIZE', 10000, 0, 1000000),
    redis: {
      url: redisUrl?.href,
      password: r.secret('REDIS_PASSWORD'),
      sentinels,
      sentinelMaster: r.string('REDIS_SENTINEL_MASTER', 'mymaster'),
    },
    bypassPaths,
    assertClaims: claims.rules,
    headers: headers.templates,
    authorizationHeader,
    idTokenHeader,
    unauthenticatedBehavior: r.oneOf('UNAUTHENTICATED_BEHAVIOR', ['auto', 'unauthorized'] as const, 'auto'),
    upstreamUrl,
    port: r.integer('PORT', 4180, 0, 65535),
    host: r.string('HOST', '0.0.0.0'),
    workers: r.integer('WORKERS', 1, 1, 64),
    logLevel: r.oneOf('LOG_LEVEL', ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const, 'info'),
    shutdownTimeout: r.integer('SHUTDOWN_TIMEOUT', 10, 0, 300),
    warnings: r.warnings,
  };
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return deepFreeze(config);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !(value instanceof URL) && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
