import { randomBytes } from 'node:crypto';
import { createClient, createSentinel } from 'redis';
import type { RedisConfig } from '../config/index.js';
import type { Logger } from '../observability/logger.js';
import type { Backend, BackendLock } from './backend.js';

/** The client calls this file makes; a Sentinel client offers the same ones. */
// node-redis spells "no modules, functions or scripts" as `{}`.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
type Redis = ReturnType<typeof createClient<{}, {}, {}, 2 | 3, {}>>;

/** Deletes the lock only while it still holds this owner's token: a lock that expired and passed on is not ours to free. */
const RELEASE_IF_OWNER =
  "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";

/**
 * A node-redis client, standalone or through Sentinel. Commands fail at once while
 * disconnected (`disableOfflineQueue`) and the client reconnects in the background.
 */
export function createRedisClient(config: RedisConfig, logger: Logger): Redis {
  const { url, password, sentinels, sentinelMaster } = config;
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
  const client = createClient({
    url,
    ...(password ? { password } : {}),
    socket: { reconnectStrategy, connectTimeout: 3000 },
    disableOfflineQueue: true,
  });
  client.on('error', (err: Error) => logger.warn({ err: { message: err.message } }, 'redis connection error'));
  return client;
}

/**
 * The Redis backend. Every key is `<namespace><key>`, the namespace derived from
 * the client id (`idp:<client id>:`), so apps sharing one Redis never see each
 * other's sessions, indexes or locks.
 */
export class RedisBackend implements Backend {
  readonly kind = 'redis';

  constructor(
    private readonly client: Redis,
    private readonly namespace: string,
  ) {}

  /** Connects in the background: a Redis that is down at start is reported by /readyz and retried. */
  connect(logger: Logger): void {
    this.client
      .connect()
      .catch((err: unknown) =>
        logger.error({ err: { message: (err as Error).message } }, 'redis: first connection failed; retrying'),
      );
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.client.get(this.namespace + key)) ?? undefined;
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    await this.client.set(this.namespace + key, value, {
      expiration: { type: 'EX', value: Math.max(1, Math.ceil(ttlSeconds)) },
    });
  }

  async setIfPresent(key: string, value: string, ttlSeconds: number): Promise<boolean> {
    const reply = await this.client.set(this.namespace + key, value, {
      condition: 'XX',
      expiration: { type: 'EX', value: Math.max(1, Math.ceil(ttlSeconds)) },
    });
    return reply === 'OK';
  }

  async delete(key: string): Promise<boolean> {
    return (await this.client.del(this.namespace + key)) > 0;
  }

  async addToSet(key: string, member: string, ttlSeconds: number): Promise<void> {
    const full = this.namespace + key;
    const ttl = Math.max(1, Math.ceil(ttlSeconds));
    // GT extends a set that would expire sooner; NX gives a new set its first TTL.
    await this.client.multi().sAdd(full, member).expire(full, ttl, 'GT').expire(full, ttl, 'NX').exec();
  }

  async takeSet(key: string): Promise<string[]> {
    const full = this.namespace + key;
    const [members] = await this.client.multi().sMembers(full).del(full).exec();
    return Array.isArray(members) ? members.map(String) : [];
  }

  async lock(key: string, ttlMs: number): Promise<BackendLock | undefined> {
    const full = this.namespace + key;
    const token = randomBytes(16).toString('base64url');
    const reply = await this.client.set(full, token, {
      condition: 'NX',
      expiration: { type: 'PX', value: Math.max(1, Math.ceil(ttlMs)) },
    });
    if (reply !== 'OK') return undefined;
    return {
      release: async () => Number(await this.client.eval(RELEASE_IF_OWNER, { keys: [full], arguments: [token] })) === 1,
    };
  }

  async ping(): Promise<void> {
    await this.client.ping();
  }

  async close(): Promise<void> {
    if (this.client.isOpen) await this.client.close();
  }
}
