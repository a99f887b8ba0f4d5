import { defineSection, v } from '../declare.js';

/** Redis connection settings, used when `sessionStore` is `redis`. */
export interface RedisConfig {
  /** `REDIS_URL`: `redis://` or `rediss://` URL. Required for the redis store. */
  readonly url: string | undefined;
  /** `REDIS_PASSWORD` / `REDIS_PASSWORD_FILE`: overrides a password in the URL. Default: none. */
  readonly password: string | undefined;
  /** `REDIS_SENTINELS`: `host:port` list; when set, the master is found through Sentinel. */
  readonly sentinels: readonly { host: string; port: number }[];
  /** `REDIS_SENTINEL_MASTER`: the Sentinel master name. Default `mymaster`. */
  readonly sentinelMaster: string;
  /** `REDIS_COMMAND_TIMEOUT`: milliseconds a Redis command may take before it counts as failed (circuit breaker). Default 250. */
  readonly commandTimeoutMs: number;
}

/** `REDIS_*`: where the redis session store connects. */
export const redisSection = defineSection({
  name: 'redis',
  variables: {
    url: v.url('REDIS_URL', ['redis', 'rediss'], {
      doc: 'redis:// or rediss:// URL; required when SESSION_STORE=redis unless Sentinel is used.',
    }),
    password: v.secret('REDIS_PASSWORD', { doc: 'Password, overriding one in the URL.' }),
    sentinels: v.list('REDIS_SENTINELS', {
      doc: 'Sentinel nodes as host:port, separated by commas; the master is found through them.',
    }),
    sentinelMaster: v.string('REDIS_SENTINEL_MASTER', 'mymaster', { doc: 'The Sentinel master name.' }),
    commandTimeoutMs: v.integer('REDIS_COMMAND_TIMEOUT', 250, 10, 60000, {
      doc: 'Milliseconds a Redis command may take before it counts as failed; consecutive failures open a circuit breaker.',
    }),
  },
  build({ url, password, sentinels, sentinelMaster, commandTimeoutMs }, r): { readonly redis: RedisConfig } {
    const nodes = sentinels.map((s) => {
      const m = /^([^:\s]+):(\d{1,5})$/.exec(s);
      if (!m) r.problems.push(`REDIS_SENTINELS: "${s}" must be host:port`);
      return { host: m?.[1] ?? '', port: Number(m?.[2] ?? 0) };
    });
    return { redis: { url: url?.href, password, sentinels: nodes, sentinelMaster, commandTimeoutMs } };
  },
});
