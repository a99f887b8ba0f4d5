import { startDevIdentityProvider, type DevIdentityProvider } from '../../dev/identity-provider.js';
import { CLIENT, ORIGIN, startHarness, type Harness } from './harness.js';
import { freePort } from './free-port.js';
import { startRedisServer, type RedisServer } from './redis-server.js';

/** Two replicas of the service on one provider and one real redis-server, as in a Deployment with two pods. */
export interface Replicas {
  readonly idp: DevIdentityProvider;
  readonly redis: RedisServer;
  readonly a: Harness;
  readonly b: Harness;
  close(): Promise<void>;
}

/**
 * Starts the provider, a redis-server and two replicas sharing it. Replica a's port
 * is chosen first, so the test client is registered with its back-channel logout
 * URI (the chart's direct route): the provider then puts `sid` in id_tokens and
 * POSTs logout tokens to replica a.
 */
export async function startReplicas(options: {
  store: 'cookie' | 'redis';
  env?: Record<string, string>;
}): Promise<Replicas> {
  const redis = await startRedisServer();
  const portA = await freePort();
  const idp = await startDevIdentityProvider({
    clients: [
      {
        ...CLIENT,
        redirectUris: [`${ORIGIN}/oauth2/callback`],
        postLogoutRedirectUris: [`${ORIGIN}/oauth2/signed-out`],
        backchannelLogoutUri: `http://127.0.0.1:${portA}/oauth2/logout/backchannel`,
      },
    ],
  });
  const env = { REDIS_URL: redis.url, ...options.env };
  const a = await startHarness({
    store: options.store,
    idp,
    env: { ...env, PORT: String(portA) },
  });
  const b = await startHarness({ store: options.store, idp, env });
  return {
    idp,
    redis,
    a,
    b,
    close: async () => {
      await a.close();
      await b.close();
      await idp.close();
      await redis.stop();
    },
  };
}

/** True when the replica lets a request with this Cookie header through to the app. */
export async function passes(h: Harness, cookie: string): Promise<boolean> {
  return (await h.forward('/', { cookie, accept: 'application/json' })).status === 200;
}
