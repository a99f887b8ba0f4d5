import { createClient, createCluster, createSentinel } from 'redis';
import type { RedisConfig } from '../config/index.js';
import type { Logger } from '../observability/logger.js';

/** The client calls the redis backend makes; Sentinel and Cluster clients offer the same ones. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- node-redis's own type parameters for "no modules, functions or scripts"
export type Redis = ReturnType<typeof createClient<{}, {}, {}, 2 | 3, {}>>;

/**
 * No command timeout of node-redis's own (5 s by default, an `AbortSignal.timeout` and its
 * listener per command, 1-2% of a check that reads Redis): the backend's circuit breaker
 * already bounds every command by `REDIS_COMMAND_TIMEOUT`.
 */
const commandOptions = { timeout: 0 };

/** Capped at 500 ms: a Redis that returns is used again within a second, not after a long backoff. */
const reconnectStrategy = (retries: number) => Math.min(50 * 2 ** retries, 500);

function warnOn(logger: Logger, what: string) {
  return (err: Error) => logger.warn({ err: { message: err.message } }, `redis ${what} error`);
}

/**
 * A node-redis client: standalone (`REDIS_URL`), through Sentinel (`REDIS_SENTINELS`)
 * or a Redis Cluster (`REDIS_CLUSTER_NODES`). Commands fail at once while disconnected
 * (`disableOfflineQueue`), the client reconnects in the background, and the backend's
 * circuit breaker bounds every command by `REDIS_COMMAND_TIMEOUT`.
 */
export function createRedisClient(config: RedisConfig, logger: Logger): Redis {
  const { url, password, sentinels, sentinelMaster, clusterNodes } = config;
  const auth = password ? { password } : {};
  if (clusterNodes.length > 0) {
    const cluster = createCluster({
      rootNodes: clusterNodes.map(({ host, port }) => ({ socket: { host, port } })),
      defaults: { ...auth, socket: { reconnectStrategy, connectTimeout: 3000 }, disableOfflineQueue: true },
      commandOptions,
    });
    cluster.on('error', warnOn(logger, 'cluster'));
    return cluster as unknown as Redis;
  }
  if (sentinels.length > 0) {
    const sentinel = createSentinel({
      name: sentinelMaster,
      sentinelRootNodes: sentinels.map(({ host, port }) => ({ host, port })),
      nodeClientOptions: { ...auth, socket: { reconnectStrategy }, disableOfflineQueue: true },
      commandOptions,
    });
    sentinel.on('error', warnOn(logger, 'sentinel'));
    return sentinel as unknown as Redis;
  }
  const client = createClient({
    url,
    ...auth,
    socket: { reconnectStrategy, connectTimeout: 3000 },
    disableOfflineQueue: true,
    commandOptions,
  });
  client.on('error', warnOn(logger, 'connection'));
  return client;
}
