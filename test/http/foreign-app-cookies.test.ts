import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startDevIdentityProvider, type DevIdentityProvider } from '../../dev/identity-provider.js';
import { CLIENT, cookieHeader, signInAtProvider, startHarness, type Harness } from '../support/harness.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';

// Two apps that share a SESSION_SECRET (a copied values file) must never accept each other's cookies.
const OTHER_CLIENT = { clientId: 'other-app', clientSecret: 'other-app-secret-value' };
const DOMAINS = ['app.test', 'other.test'];

let idp: DevIdentityProvider;
let redis: RedisServer;
beforeAll(async () => {
  const redirectUris = DOMAINS.map((d) => `https://${d}/oauth2/callback`);
  idp = await startDevIdentityProvider({
    clients: [
      { ...CLIENT, redirectUris },
      { ...OTHER_CLIENT, redirectUris },
    ],
  });
  redis = await startRedisServer();
});
afterAll(async () => {
  await idp.close();
  await redis.stop();
});

/** The Cookie header renamed from one cookie prefix to another, as a copied cookie would be. */
const renamed = (cookie: string, from: string, to: string) =>
  cookie
    .split('; ')
    .map((c) => (c.startsWith(from) ? to + c.slice(from.length) : c))
    .join('; ');

async function refuses(app: Harness, cookie: string): Promise<void> {
  await app
    .forward('/reports', { cookie })
    .expect(302)
    .expect('location', /[?&]response_type=code/);
  await app
    .forward('/api/data', { cookie, accept: 'application/json', headers: { 'Sec-Fetch-Mode': 'cors' } })
    .expect(401);
}

const cases = [
  { store: 'cookie', differs: 'client id', b: { client: OTHER_CLIENT } },
  { store: 'cookie', differs: 'DOMAIN', b: { domain: 'other.test' } },
  { store: 'cookie', differs: 'cookie name', b: { env: { COOKIE_NAME_PREFIX: '_u_' } } },
  { store: 'redis', differs: 'DOMAIN', b: { domain: 'other.test' } },
  { store: 'redis', differs: 'cookie name', b: { env: { COOKIE_NAME_PREFIX: '_u_' } } },
] as const;

describe.each(cases)('two apps with one SESSION_SECRET, $store store, another $differs', ({ store, b }) => {
  let one: Harness;
  let two: Harness;
  const prefixOf = (h: Harness) => h.config.cookieNamePrefix;
  beforeAll(async () => {
    // For redis both share one server and one namespace (same client id): only the cookie binding tells them apart.
    const shared = { store, idp, env: { REDIS_URL: redis.url } };
    one = await startHarness(shared);
    two = await startHarness({ ...shared, ...b, env: { ...shared.env, ...('env' in b ? b.env : {}) } });
  });
  afterAll(async () => {
    await one.close();
    await two.close();
  });

  it('each accepts its own session cookie', async () => {
    await one.forward('/reports', { cookie: await one.login() }).expect(200);
    await two.forward('/reports', { cookie: await two.login() }).expect(200);
  });

  it('each refuses the other’s session cookie: a login for a navigation, 401 for a fetch', async () => {
    const ofOne = await one.login();
    const ofTwo = await two.login();
    await refuses(two, renamed(ofOne, prefixOf(one), prefixOf(two)));
    await refuses(one, renamed(ofTwo, prefixOf(two), prefixOf(one)));
  });

  it('each refuses the other’s login transaction at its callback', async () => {
    for (const [from, to] of [
      [one, two],
      [two, one],
    ] as const) {
      const start = await from.forward('/reports').expect(302);
      const tx = renamed(cookieHeader(start.headers['set-cookie']), prefixOf(from), prefixOf(to));
      const callback = new URL(
        await signInAtProvider(start.headers.location ?? '', 'alice', undefined, `https://${from.config.domain}`),
      );
      const res = await to.forward(callback.pathname + callback.search, { cookie: tx, accept: 'application/json' });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: 'login_expired' });
    }
  });
});
