import type { AddressInfo } from 'node:net';
import supertest from 'supertest';
import { loadConfig, type Config } from '../../src/config/index.js';
import type { RunningService } from '../../src/server.js';
import {
  API_CLIENT_ID,
  APP_A,
  APP_B,
  ROLE,
  SECRET,
  startEntraTenants,
  T1,
  type EntraTenants,
} from './entra-tenants.js';
import { DOMAIN, SESSION_SECRET, startCapturedService } from './harness.js';

/** The policy the bearer tests run under: app-a and app-b listed, the role required, users in g-api-users. */
export const TEST_POLICY = {
  applications: [
    { name: 'test:team:app-a', clientId: APP_A },
    { name: 'test:team:app-b', clientId: APP_B },
  ],
  appRoles: [ROLE],
  users: { allowAll: false, groups: ['g-api-users'], scopes: [] },
};

/** The service with `BEARER_AUTH=on` against tenant T1, accepting tokens of T1 only. */
export interface BearerService {
  readonly tenants: EntraTenants;
  readonly service: RunningService;
  readonly config: Config;
  readonly baseUrl: string;
  readonly logs: string[];
  /** A forwardAuth subrequest for `uri`, with an optional bearer token and extra headers. */
  forward(uri: string, options?: { token?: string; headers?: Record<string, string>; accept?: string }): supertest.Test;
  close(): Promise<void>;
}

/** Starts two emulated Entra tenants and the service in front of them; `env` overrides the defaults. */
export async function startBearerService(
  env: Record<string, string> = {},
  shared?: EntraTenants,
): Promise<BearerService> {
  const tenants = shared ?? (await startEntraTenants());
  const config = loadConfig({
    OIDC_ISSUER_URL: tenants.issuer(T1),
    OIDC_ALLOW_INSECURE_HTTP: 'true',
    OIDC_CLIENT_ID: API_CLIENT_ID,
    OIDC_CLIENT_SECRET: SECRET,
    SESSION_SECRET,
    DOMAIN,
    HOST: '127.0.0.1',
    PORT: '0',
    PROBE_PORT: '0',
    COOKIE_NAME_PREFIX: '_t_',
    LOG_LEVEL: 'debug',
    BEARER_AUTH: 'on',
    BEARER_ISSUERS: tenants.issuerTemplate,
    ASSERT_CLAIMS: JSON.stringify([{ name: 'tid', anyOf: [T1] }]),
    ACCESS_POLICY: JSON.stringify(TEST_POLICY),
    BEARER_ONLY_PATHS: '/api/',
    ...env,
  });
  const { service, logs } = await startCapturedService(config);
  await service.oidc.start();
  const baseUrl = `http://127.0.0.1:${(service.server.address() as AddressInfo).port}`;
  return {
    tenants,
    service,
    config,
    baseUrl,
    logs,
    forward: (uri, o = {}) => {
      const req = supertest(baseUrl)
        .get('/oauth2/auth')
        .set('X-Forwarded-Proto', 'https')
        .set('X-Forwarded-Host', DOMAIN)
        .set('X-Forwarded-Uri', uri)
        .set('X-Forwarded-Method', 'GET')
        .set('Accept', o.accept ?? 'application/json');
      if (o.token !== undefined) req.set('Authorization', `Bearer ${o.token}`);
      for (const [k, v] of Object.entries(o.headers ?? {})) req.set(k, v);
      return req;
    },
    close: async () => {
      await service.stop();
      if (!shared) await tenants.close();
    },
  };
}
