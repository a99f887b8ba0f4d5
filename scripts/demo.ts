/**
 * `npm run demo`: the whole login flow on one machine, with no configuration and no
 * system packages. Starts the development identity provider (test users only), a demo
 * app, and the service in sidecar mode in front of it, on http://localhost:4180.
 *
 * The demo app also shows the token API at /token-api: it gets a machine token, has it
 * introspected and calls a downstream API through the service's loopback token API.
 *
 * Overrides: DEMO_PORT (4180), DEMO_PROVIDER_PORT (9000), DEMO_APP_PORT (any free port),
 * DEMO_TOKEN_API_PORT (7164), DEMO_HOST (127.0.0.1), DEMO_LOG_LEVEL (error).
 * Refuses to run when a real provider is configured (OIDC_ISSUER_URL or AZURE_TENANT_ID).
 */
import { randomBytes } from 'node:crypto';

const env = process.env;
const realProvider = ['OIDC_ISSUER_URL', 'AZURE_TENANT_ID'].filter(
  (name) => env[name] !== undefined && env[name] !== '',
);
if (realProvider.length > 0) {
  process.stderr.write(
    `demo: refusing to start: ${realProvider.join(' and ')} ${realProvider.length > 1 ? 'are' : 'is'} set, so a real identity provider is configured.\n` +
      'The demo runs a development provider with well-known test passwords and must never stand in for a real one.\n' +
      `Unset ${realProvider.join(' and ')} to run the demo, or start the service itself with \`npm start\`.\n`,
  );
  process.exit(2);
}

function port(name: string, fallback: number): number {
  const value = Number(env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    process.stderr.write(`demo: ${name} must be a port number (got "${env[name]}")\n`);
    process.exit(2);
  }
  return value;
}

// Imported only now, so that a refusal prints nothing else. oidc-provider's notices
// about its development adapter and the Node version are expected in a demo.
const warn = console.warn.bind(console);
console.warn = (...args: unknown[]) => {
  if (typeof args[0] !== 'string' || !args[0].startsWith('oidc-provider WARNING')) warn(...args);
};
const { loadConfig } = await import('../src/config/index.js');
const { demoAppHandler, startDemoApp } = await import('../dev/demo-app.js');
const { withTokenApiDemo } = await import('../dev/token-api-demo.js');
const { startDevIdentityProvider } = await import('../dev/identity-provider.js');
const { DEV_USERS } = await import('../dev/test-users.js');
const { startService } = await import('../src/server.js');

const host = env.DEMO_HOST ?? '127.0.0.1';
const servicePort = port('DEMO_PORT', 4180);
const origin = `http://localhost:${servicePort}`;
const client = { clientId: 'demo', clientSecret: randomBytes(16).toString('hex') };

const idp = await startDevIdentityProvider({
  clients: [
    {
      ...client,
      redirectUris: [`${origin}/oauth2/callback`],
      postLogoutRedirectUris: [`${origin}/oauth2/signed-out`],
      // Signing out at the provider ends the demo session too (and puts `sid` in id_tokens).
      backchannelLogoutUri: `${origin}/oauth2/logout/backchannel`,
    },
  ],
  port: port('DEMO_PROVIDER_PORT', 9000),
  host,
  // Short-lived access tokens so the demo shows refresh: the token the app receives changes every ~2 minutes.
  accessTokenTtl: 180,
  machineResources: [`api://${client.clientId}`],
});
const tokenApiPort = port('DEMO_TOKEN_API_PORT', 7164);
const tokenApi = `http://127.0.0.1:${tokenApiPort}`;
const app = await startDemoApp({
  port: port('DEMO_APP_PORT', 0),
  host: '127.0.0.1',
  handler: withTokenApiDemo(
    {
      tokenEndpoint: `${tokenApi}/api/v1/token`,
      introspectionEndpoint: `${tokenApi}/api/v1/introspect`,
      sidecarUrl: tokenApi,
      target: `api://${client.clientId}/.default`,
      downstreamApi: 'demo-downstream',
    },
    demoAppHandler,
  ),
});
const config = loadConfig({
  OIDC_ISSUER_URL: idp.issuer,
  OIDC_ALLOW_INSECURE_HTTP: 'true',
  OIDC_CLIENT_ID: client.clientId,
  OIDC_CLIENT_SECRET: client.clientSecret,
  SESSION_SECRET: randomBytes(16).toString('hex'),
  DOMAIN: `localhost:${servicePort}`,
  PUBLIC_SCHEME: 'http',
  SESSION_STORE: 'memory',
  UPSTREAM_URL: app.url,
  ASSERT_CLAIMS: JSON.stringify([{ name: 'groups', anyOf: ['demo-users'] }]),
  // Forwarding the access token turns refresh on (TOKEN_REFRESH=auto); the demo app shows its expiry.
  AUTHORIZATION_HEADER: 'Authorization',
  TOKEN_REFRESH_MARGIN: '60',
  PORT: String(servicePort),
  PROBE_PORT: '0', // any free port: the demo needs no probes
  HOST: host,
  LOG_LEVEL: env.DEMO_LOG_LEVEL ?? 'error',
  SHUTDOWN_TIMEOUT: '1',
  TOKEN_API_ADDRESS: `127.0.0.1:${tokenApiPort}`,
  DOWNSTREAM_APIS: JSON.stringify({
    'demo-downstream': {
      BaseUrl: `${app.url}/api/`,
      RelativePath: 'downstream',
      Scopes: [`api://${client.clientId}/.default`],
      HttpMethod: 'GET',
      RequestAppToken: true,
    },
  }),
});
const service = await startService(config);
await service.oidc.start();

const users = DEV_USERS.map((u) => {
  const groups = (u.claims.groups as string[] | undefined) ?? [];
  const access = groups.includes('demo-users') ? 'allowed' : 'signs in, but is not in demo-users: sees the 403 page';
  return `    ${u.username.padEnd(6)} / ${u.password.padEnd(15)} ${access}`;
});
process.stdout.write(
  [
    '',
    `  Demo running. Open ${origin}/ in a browser.`,
    '',
    '  Test users (username / password):',
    ...users,
    '',
    `  Identity provider (development only): ${idp.issuer}`,
    `  Demo app behind the service:          ${app.url}`,
    `  Session and access-token expiry: ${origin}/oauth2/session (the access token lives 3 minutes and is`,
    '  refreshed a minute before it expires: the Authorization header the app shows changes).',
    `  Token API (loopback only):            ${tokenApi} (the app's ${origin}/token-api uses it)`,
    `  Sign out: ${origin}/oauth2/logout. Press Ctrl+C to stop.`,
    '',
  ].join('\n') + '\n',
);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await service.stop();
  await Promise.all([app.close(), idp.close()]);
  process.exit(0);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
