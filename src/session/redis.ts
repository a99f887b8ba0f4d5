import { randomBytes } from 'node:crypto';
import type { Logger } from '../observability/logger.js';
import type { Backend, BackendLock } from './backend.js';
import { CircuitBreaker } from './circuit-breaker.js';
import type { Redis } from './redis-client.js';

/** Deletes the lock only while it still holds this owner's token: a lock that expired and passed on is not ours to free. */
const RELEASE_IF_OWNER =
  "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";

/**
 * The Redis backend. Every key is `<namespace><key>`, the namespace derived from
 * the client id (`idp:<client id>:`), so apps sharing one Redis never see each
 * other's sessions, indexes or locks.
 */
export class RedisBackend implements Backend {
  readonly kind = 'redis';

  /** Every command passes it: bounded by `REDIS_COMMAND_TIMEOUT`, refused at once while the circuit is open. */
  readonly breaker: CircuitBreaker;

  constructor(
    private readonly client: Redis,
    private readonly namespace: string,
    breaker: CircuitBreaker = new CircuitBreaker({ timeoutMs: 250 }),
  ) {
    this.breaker = breaker;
  }

  private run<T>(work: () => Promise<T>): Promise<T> {
    return this.breaker.run(work);
  }

  /** Connects in the background: a Redis that is down at start is reported by /readyz and retried. */
  connect(logger: Logger): void {
    this.client
      .connect()
      .catch((err: unknown) =>
        logger.error({ err: { message: (err as Error).message } }, 'redis: first connection failed; retrying'),
      );
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.run(() => this.client.get(this.namespace + key))) ?? undefined;
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    await this.run(() =>
      this.client.set(this.namespace + key, value, {
        expiration: { type: 'EX', value: Math.max(1, Math.ceil(ttlSeconds)) },
      }),
    );
  }

  async setIfPresent(key: string, value: string, ttlSeconds: number): Promise<boolean> {
    const reply = await this.run(() =>
      this.client.set(this.namespace + key, value, {
        condition: 'XX',
        expiration: { type: 'EX', value: Math.max(1, Math.ceil(ttlSeconds)) },
      }),
    );
    return reply === 'OK';
  }

  async setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean> {
    const reply = await this.run(() =>
      this.client.set(this.namespace + key, value, {
        condition: 'NX',
        expiration: { type: 'EX', value: Math.max(1, Math.ceil(ttlSeconds)) },
      }),
    );
    return reply === 'OK';
  }

  async delete(key: string): Promise<boolean> {
    return (await this.run(() => this.client.del(this.namespace + key))) > 0;
  }

  async addToSet(key: string, member: string, ttlSeconds: number): Promise<void> {
    const full = this.namespace + key;
    const ttl = Math.max(1, Math.ceil(ttlSeconds));
    // GT extends a set that would expire sooner; NX gives a new set its first TTL.
    await this.run(() => this.client.multi().sAdd(full, member).expire(full, ttl, 'GT').expire(full, ttl, 'NX').exec());
  }

  async takeSet(key: string): Promise<string[]> {
    const full = this.namespace + key;
    const [members] = await this.run(() => this.client.multi().sMembers(full).del(full).exec());
    return Array.isArray(members) ? members.map(String) : [];
  }

  async lock(key: string, ttlMs: number): Promise<BackendLock | undefined> {
    const full = this.namespace + key;
    const token = randomBytes(16).toString('base64url');
    const reply = await this.run(() =>
      this.client.set(full, token, {
        condition: 'NX',
        expiration: { type: 'PX', value: Math.max(1, Math.ceil(ttlMs)) },
      }),
    );
    if (reply !== 'OK') return undefined;
    return {
      release: async () =>
        Number(await this.run(() => this.client.eval(RELEASE_IF_OWNER, { keys: [full], arguments: [token] }))) === 1,
    };
  }

  async ping(): Promise<void> {
    await this.run(() => this.client.ping());
  }

  async close(): Promise<void> {
    if (this.client.isOpen) await this.client.close();
  }
}
