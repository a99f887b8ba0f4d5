// The configuration the chart renders is accepted by the service's own loader:
// ConfigMap data plus the secret env vars (fake values here) go through loadConfig.
import { describe, it, expect, beforeAll } from '@jest/globals';
import { loadConfig, ConfigError, type Config } from '../../src/config/index.js';
import { containerEnv as renderedEnv, render, scenarios, type K8sObject } from './helm.js';

const fakeSecrets: Record<string, string> = {
  OIDC_CLIENT_ID: '3fe8f2f0-da38-42eb-80c7-febc1d1dcb3f',
  OIDC_CLIENT_SECRET: 'not-a-real-client-secret',
  SESSION_SECRET: '0123456789abcdef0123456789abcdef',
  SESSION_SECRETS: 'fedcba9876543210fedcba9876543210,0123456789abcdef0123456789abcdef',
  REDIS_PASSWORD: 'not-a-real-redis-password',
};

/** The environment the container gets, its secrets resolved to the fakes above. */
const containerEnv = (objects: K8sObject[]) => renderedEnv(objects, fakeSecrets);

const configs = new Map<string, Config>();
const envs = new Map<string, Record<string, string>>();

function load(env: Record<string, string>): Config {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError)
      throw new Error(`loadConfig refused the chart's output:\n${err.problems.join('\n')}`, { cause: err });
    throw err;
  }
}

beforeAll(async () => {
  for (const scenario of scenarios) {
    const env = containerEnv(await render({ valuesFiles: [scenario] }));
    envs.set(scenario, env);
    configs.set(scenario, load(env));
  }
});

describe('rendered configuration accepted by loadConfig', () => {
  it.each(scenarios)('loads without problems for %s', (scenario) => {
    expect(configs.get(scenario)).toBeDefined();
  });

  it('renders ACCESS_POLICY from accessPolicy.inbound.rules and azure.application, and the bearer.* variables', () => {
    const config = configs.get('all-options-values.yaml')!;
    expect(config.bearer).toMatchObject({
      enabled: true,
      audiences: ['api://app-sso'],
      clockSkew: 30,
      onlyPaths: ['/api/'],
      acceptV1: false,
    });
    expect(config.bearer.accessPolicy).toEqual({
      applications: [
        { name: 'prod:team-orders:orders-worker', clientId: '3f1c0c5e-0000-4000-8000-000000000001' },
        { name: 'my-namespace:reports', clientId: '3f1c0c5e-0000-4000-8000-000000000002' },
      ],
      appRoles: ['access_as_application'],
      users: { allowAll: false, groups: ['6a7b2d1e-0000-4000-8000-000000000002'], scopes: ['defaultaccess'] },
    });
    expect(config.groupsOverage).toBe('deny');
    expect(configs.get('existing-team-values.yaml')!.bearer.enabled).toBe(false);
  });

  it('keeps the existing team values: domain, cookie prefix, bypass paths and claim rules', () => {
    const config = configs.get('existing-team-values.yaml')!;
    expect(config.domain).toBe('myapp.my-namespace.idp.jppol.dk');
    expect(config.cookieNamePrefix).toBe('_MyApp_');
    expect(config.bypassPaths).toEqual(['/api/health', '/metrics']);
    expect(config.assertClaims).toEqual([
      { name: 'groups', anyOf: ['awssso-myapp-admin', 'awssso-myapp-user'] },
      { name: 'roles', allOf: ['reader'] },
    ]);
    expect(config.callbackPath).toBe('/oauth2/callback');
    expect(config.logoutPath).toBe('/oauth2/logout');
    expect(config.issuerUrl.href).toMatch(/^https:\/\/login\.microsoftonline\.com\/[^/]+\/v2\.0$/);
    expect(config.sessionStore).toBe('cookie');
    expect(config.port).toBe(4180);
    expect(config.unauthenticatedBehavior).toBe('auto');
  });

  it('uses provider.url as the issuer and passes the scopes', () => {
    const config = configs.get('single-remote-secret-values.yaml')!;
    expect(config.issuerUrl.href).toBe('https://auth.example.com/realms/team-a');
    expect(config.scopes).toEqual(['openid', 'profile', 'email', 'offline_access']);
  });

  it('translates plugin-era spellings: loginUri, full-URL logoutUri, DEBUG, relative post-logout URI', () => {
    const config = configs.get('existing-secret-values.yaml')!;
    expect(config.issuerUrl.href).toBe('https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0');
    expect(config.loginPath).toBe('/login');
    expect(config.logoutPath).toBe('/logout');
    expect(config.unauthenticatedBehavior).toBe('unauthorized');
    expect(config.logLevel).toBe('debug');
    expect(config.postLogoutRedirectUri).toBe('https://tools.team-b.idp.jppol.dk/signed-out');
    expect(config.sessionMaxAge).toBe(28800);
    expect(config.cookieNamePrefix).toBe('_myapp-oidc_');
  });

  it('configures the Redis store with Sentinel and the password from the secret', () => {
    const config = configs.get('redis-store-values.yaml')!;
    expect(config.sessionStore).toBe('redis');
    expect(config.sessionIdleTimeout).toBe(1800);
    expect(config.redis.url).toBe('redis://redis.team-c.svc.cluster.local:6379/2');
    expect(config.redis.password).toBe(fakeSecrets.REDIS_PASSWORD);
    expect(config.redis.sentinelMaster).toBe('shop');
    expect(config.redis.sentinels).toEqual([
      { host: 'redis-sentinel-0.redis.team-c.svc.cluster.local', port: 26379 },
      { host: 'redis-sentinel-1.redis.team-c.svc.cluster.local', port: 26379 },
    ]);
  });

  it('passes header templates through literally and maps every other option', () => {
    const config = configs.get('all-options-values.yaml')!;
    expect(envs.get('all-options-values.yaml')!.HEADERS).toContain('"value":"{{ .claims.email }}"');
    expect(config.headers.map((h) => h.name)).toEqual(['X-Auth-Request-Email', 'X-Auth-Groups', 'X-Id-Token']);
    expect(config.authorizationHeader).toBe('Authorization');
    expect(config.unauthenticatedBehavior).toBe('unauthorized');
    expect(config.cookieSameSite).toBe('Strict');
    expect(config.cookieDomain).toBe('team-d.idp.jppol.dk');
    expect(config.callbackPath).toBe('/auth/callback');
    expect(config.postLoginRedirectPath).toBe('/home');
    expect(config.postLogoutRedirectUri).toBe('https://www.jppol.dk/');
    expect(config.workers).toBe(2);
    expect(config.logLevel).toBe('warn');
    expect(config.scopes).toContain('api://app/read');
    expect(config.assertClaims).toEqual([
      { name: 'groups', anyOf: ['admins', 'editors'] },
      { name: 'groups', allOf: ['staff'] },
    ]);
  });

  it('maps the 0.3.3 keys that have a meaning and ignores the rest', () => {
    const config = configs.get('plugin-era-keys-values.yaml')!;
    expect(config.issuerUrl.href).toBe('https://login.microsoftonline.com/99999999-8888-7777-6666-555555555555/v2.0');
    expect(config.scopes).toEqual(['openid', 'email', 'profile', 'User.Read']);
    expect(config.cookieSameSite).toBe('None');
    expect(config.cookieSecure).toBe(true);
    expect(config.sessionMaxAge).toBe(3600);
    expect(config.callbackPath).toBe('/oidc/callback');
    expect(config.loginPath).toBe('/oidc/login');
    expect(config.postLoginRedirectPath).toBe('/welcome');
    expect(config.unauthenticatedBehavior).toBe('auto');
    expect(config.authorizationHeader).toBe('X-Access-Token');
    expect(config.logLevel).toBe('error');
    expect(config.bypassPaths).toEqual(['/status']);
  });

  it('puts the probe listener on 4181, the port the probes and the ServiceMonitor use', () => {
    for (const [, env] of envs) expect(loadConfig(env).probePort).toBe(4181);
  });

  it('gives SESSION_SECRETS, newest first, when the session secrets rotate', () => {
    const config = configs.get('session-secret-rotation-values.yaml')!;
    expect(envs.get('session-secret-rotation-values.yaml')!.SESSION_SECRET).toBeUndefined();
    expect(config.sessionSecrets).toEqual(fakeSecrets.SESSION_SECRETS.split(','));
    expect(config.sessionSecret).toBe('fedcba9876543210fedcba9876543210');
    expect(configs.get('existing-team-values.yaml')!.sessionSecrets).toEqual([fakeSecrets.SESSION_SECRET]);
  });

  it('renders only variables of the service contract', () => {
    const contract = new Set([
      'OIDC_ISSUER_URL',
      'AZURE_TENANT_ID',
      'OIDC_CLIENT_ID',
      'OIDC_CLIENT_SECRET',
      'SESSION_SECRET',
      'SESSION_SECRETS',
      'OIDC_SCOPES',
      'DOMAIN',
      'COOKIE_NAME_PREFIX',
      'COOKIE_DOMAIN',
      'COOKIE_SAMESITE',
      'COOKIE_SECURE',
      'CALLBACK_PATH',
      'LOGIN_PATH',
      'LOGOUT_PATH',
      'POST_LOGIN_REDIRECT_PATH',
      'POST_LOGOUT_REDIRECT_URI',
      'BYPASS_PATHS',
      'ASSERT_CLAIMS',
      'HEADERS',
      'AUTHORIZATION_HEADER',
      'BEARER_AUTH',
      'BEARER_AUDIENCES',
      'BEARER_ISSUERS',
      'BEARER_ACCEPT_V1',
      'BEARER_CLOCK_SKEW',
      'BEARER_ONLY_PATHS',
      'ACCESS_POLICY',
      'ENTRA_GROUPS_OVERAGE',
      'UNAUTHENTICATED_BEHAVIOR',
      'ERROR_REDIRECT_PATH',
      'SESSION_STORE',
      'SESSION_MAX_AGE',
      'SESSION_IDLE_TIMEOUT',
      'SESSION_FALLBACK',
      'SESSION_FALLBACK_MAX_AGE',
      'SESSION_FALLBACK_RESTORE',
      'TOKEN_REFRESH',
      'TOKEN_REFRESH_MARGIN',
      'REDIS_URL',
      'REDIS_PASSWORD',
      'REDIS_SENTINELS',
      'REDIS_SENTINEL_MASTER',
      'REDIS_CLUSTER_NODES',
      'REDIS_COMMAND_TIMEOUT',
      'LOG_LEVEL',
      'PORT',
      'PROBE_PORT',
      'WORKERS',
    ]);
    for (const [scenario, env] of envs) {
      const extra = Object.keys(env).filter(
        (k) => !contract.has(k) && !(scenario === 'all-options-values.yaml' && k === 'NODE_OPTIONS'),
      );
      expect({ scenario, extra }).toEqual({ scenario, extra: [] });
    }
  });
});

describe('pass-through mode from the chart (unauthorizedBehavior: Pass, autoLogin: false)', () => {
  async function behaviour(values: Record<string, unknown>): Promise<string> {
    return load(containerEnv(await render({ valuesFiles: ['existing-team-values.yaml'], values })))
      .unauthenticatedBehavior;
  }

  it('maps unauthorizedBehavior: Pass (any case) to UNAUTHENTICATED_BEHAVIOR=pass', async () => {
    await expect(behaviour({ unauthorizedBehavior: 'Pass' })).resolves.toBe('pass');
    await expect(behaviour({ unauthorizedBehavior: 'pass' })).resolves.toBe('pass');
  });

  it('maps the sidecar vocabulary autoLogin: false to pass, also next to loginUri', async () => {
    await expect(behaviour({ autoLogin: false })).resolves.toBe('pass');
    await expect(behaviour({ autoLogin: false, loginUri: '/login' })).resolves.toBe('pass');
    await expect(behaviour({ autoLogin: false, unauthorizedBehavior: 'Pass' })).resolves.toBe('pass');
  });

  it('keeps the defaults when autoLogin is true', async () => {
    await expect(behaviour({ autoLogin: true })).resolves.toBe('auto');
    await expect(behaviour({ autoLogin: true, loginUri: '/login' })).resolves.toBe('unauthorized');
  });
});

describe('error redirect from the chart (errorPath)', () => {
  it('renders errorPath as ERROR_REDIRECT_PATH, which loadConfig accepts', async () => {
    const env = containerEnv(
      await render({ valuesFiles: ['existing-team-values.yaml'], values: { errorPath: '/oops' } }),
    );
    expect(env.ERROR_REDIRECT_PATH).toBe('/oops');
    expect(load(env).errorRedirectPath).toBe('/oops');
  });

  it('renders no ERROR_REDIRECT_PATH when errorPath is empty', async () => {
    expect(envs.get('existing-team-values.yaml')!.ERROR_REDIRECT_PATH).toBeUndefined();
  });
});

describe('token refresh values', () => {
  it('renders tokenRefresh.mode and margin as TOKEN_REFRESH and TOKEN_REFRESH_MARGIN', async () => {
    const env = containerEnv(
      await render({
        valuesFiles: ['existing-team-values.yaml'],
        values: { tokenRefresh: { mode: 'on', margin: 120 } },
      }),
    );
    const config = load(env);
    expect(config.tokenRefresh).toBe('on');
    expect(config.tokenRefreshMargin).toBe(120);
  });

  it('keeps the service defaults: auto, 300 seconds', () => {
    const config = configs.get('existing-team-values.yaml')!;
    expect(config.tokenRefresh).toBe('auto');
    expect(config.tokenRefreshMargin).toBe(300);
  });
});
