import session from 'express-session';
import { RedisStore } from 'connect-redis';
import { createClient, createSentinel } from 'redis';
import type { Config } from '../config/index.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { CookieSessionStore } from './cookie-store.js';
import { ServerSessionStore, type SidIndex } from './server-store.js';
import type { SessionStore } from './store.js';

/** The client calls this file makes; a Sentinel client offers the same ones. */
type Redis = ReturnType<typeof createClient<{}, {}, {}, 2 | 3, {}>>;

/** An in-process sid index for the memory store. */
function memorySidIndex(): SidIndex {
  const index = new Map<string, Set<string>>();
  return {
    async add(sid, id) {
      index.set(sid, (index.get(sid) ?? new Set()).add(id));
    },
    async take(sid) {
      const ids = [...(index.get(sid) ?? [])];
      index.delete(sid);
      return ids;
    },
  };
}

/** A sid index in redis: one set per provider session, expiring with its longest session. */
function redisSidIndex(client: Redis, prefix: string): SidIndex {
  return {
    async add(sid, id, ttl) {
      const key = `${prefix}sid:${sid}`;
      await client.multi().sAdd(key, id).expire(key, Math.max(1, ttl), 'GT').expire(key, Math.max(1, ttl), 'NX').exec();
    },
    async take(sid) {
      const key = `${prefix}sid:${sid}`;
      const [ids] = await client.multi().sMembers(key).del(key).exec();
      return (ids as unknown as string[]) ?? [];
    },
  };
}

function redisClient(config: Config, logger: Logger): Redis {
  const { url, password, sentinels, sentinelMaster } = config.redis;
  const reconnectStrategy = (retries: number) => Math.min(100 * 2 ** retries, 3000);
  if (sentinels.length > 0) {
    const sentinel = createSentinel({
      name: sentinelMaster,
      sentinelRootNodes: sentinels.map(({ host, port }) => ({ host, port })),
      nodeClientOptions: { ...(password ? { password } : {}), socket: { reconnectStrategy } },
    });
    sentinel.on('error', (err: Error) => logger.warn({ err: { message: err.message } }, 'redis sentinel error'));
    return sentinel as unknown as Redis;
  }
  const client = createClient({ url, ...(password ? { password } : {}), socket: { reconnectStrategy, connectTimeout: 3000 }, disableOfflineQueue: true });
  client.on('error', (err: Error) => logger.warn({ err: { message: err.message } }, 'redis connection error'));
  return client as unknown as Redis;
}

/**
 * Builds the configured session store. Redis is connected here; a Redis that is
 * down at start is reported by /readyz and retried in the background.
 */
export async function createSessionStore(config: Config, logger: Logger, metrics?: Metrics): Promise<SessionStore> {
  const common = {
    secret: config.sessionSecret,
    cookieName: `${config.cookieNamePrefix}session`,
    policy: { secure: config.cookieSecure, sameSite: config.cookieSameSite, domain: config.cookieDomain },
    lifetime: { maxAge: config.sessionMaxAge, idleTimeout: config.sessionIdleTimeout },
    cacheSize: config.sessionCacheSize,
    metrics,
  };
  if (config.sessionStore === 'cookie') return new CookieSessionStore(common);
  if (config.sessionStore === 'memory') {
    return new ServerSessionStore({
      ...common,
      kind: 'memory',
      backend: new session.MemoryStore(),
      sidIndex: memorySidIndex(),
      cacheTtl: 0,
      ping: async () => {},
      close: async () => {},
    });
  }
  const client = redisClient(config, logger);
  const prefix = `${config.cookieNamePrefix}:`;
  client.connect().catch((err: Error) => logger.error({ err: { message: err.message } }, 'redis: first connection failed; retrying'));
  return new ServerSessionStore({
    ...common,
    kind: 'redis',
    backend: new RedisStore({ client, prefix: `${prefix}sess:`, disableTouch: true }),
    // connect-redis keeps `<prefix>sess:<id>` as JSON; SET XX updates it only while it exists.
    updateIfPresent: async (id, record, ttl) =>
      (await client.set(`${prefix}sess:${id}`, JSON.stringify(record), { condition: 'XX', expiration: { type: 'EX', value: ttl } })) === 'OK',
    sidIndex: redisSidIndex(client, prefix),
    cacheTtl: config.sessionCacheTtl,
    ping: async () => {
      await client.ping();
    },
    close: async () => {
      if (client.isOpen) await client.close();
    },
  });
}
