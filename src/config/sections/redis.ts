import { defineSection, v } from '../declare.js';

/** Redis connection settings: the redis store's, or with the cookie store its revocation list, locks and logout-token jtis. */
export interface RedisConfig {
  /** `REDIS_URL`: `redis://` or `rediss://` URL. Required for the redis store; with the cookie store, optional: revocable cookie sessions. */
  readonly url: string | undefined;
  /** `REDIS_PASSWORD` / `REDIS_PASSWORD_FILE`: overrides a password in the URL. Default: none. */
  readonly password: string | undefined;
  /** `REDIS_SENTINELS`: `host:port` list; when set, the master is found through Sentinel. */
  readonly sentinels: readonly { host: string; port: number }[];
  /** `REDIS_SENTINEL_MASTER`: the Sentinel master name. Default `mymaster`. */
  readonly sentinelMaster: string;
  /** `REDIS_CLUSTER_NODES`: `host:port` seed nodes; when set, a Redis Cluster is used. */
  readonly clusterNodes: readonly { host: string; port: number }[];
  /** `REDIS_COMMAND_TIMEOUT`: milliseconds a Redis command may take before it counts as failed (circuit breaker). Default 250. */
  readonly commandTimeoutMs: number;
}

/** `REDIS_*`: where the redis session store connects. */
export const redisSection = defineSection({
  name: 'redis',
  variables: {
    url: v.url('REDIS_URL', ['redis', 'rediss'], {
      doc: 'redis:// or rediss:// URL; required when SESSION_STORE=redis unless Sentinel is used; with SESSION_STORE=cookie it makes cookie sessions revocable.',
    }),
    password: v.secret('REDIS_PASSWORD', { doc: 'Password, overriding one in the URL.' }),
    sentinels: v.list('REDIS_SENTINELS', {
      doc: 'Sentinel nodes as host:port, separated by commas; the master is found through them.',
    }),
    sentinelMaster: v.string('REDIS_SENTINEL_MASTER', 'mymaster', { doc: 'The Sentinel master name.' }),
    clusterNodes: v.list('REDIS_CLUSTER_NODES', {
      doc: 'Redis Cluster seed nodes as host:port, separated by commas; when set, a Redis Cluster is used.',
    }),
    commandTimeoutMs: v.integer('REDIS_COMMAND_TIMEOUT', 250, 10, 60000, {
      doc: 'Milliseconds a Redis command may take before it counts as failed; consecutive failures open a circuit breaker.',
    }),
  },
  build(
    { url, password, sentinels, sentinelMaster, clusterNodes, commandTimeoutMs },
    r,
  ): { readonly redis: RedisConfig } {
    const addresses = (name: string, list: readonly string[]) =>
      list.map((s) => {
        const m = /^([^:\s]+):(\d{1,5})$/.exec(s);
        if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) r.problems.push(`${name}: "${s}" must be host:port`);
        return { host: m?.[1] ?? '', port: Number(m?.[2] ?? 0) };
      });
    const nodes = addresses('REDIS_SENTINELS', sentinels);
    const cluster = addresses('REDIS_CLUSTER_NODES', clusterNodes);
    if (nodes.length > 0 && cluster.length > 0)
      r.problems.push(
        'REDIS_SENTINELS and REDIS_CLUSTER_NODES are both set; a Redis is either a Sentinel set-up or a Cluster',
      );
    return {
      redis: { url: url?.href, password, sentinels: nodes, sentinelMaster, clusterNodes: cluster, commandTimeoutMs },
    };
  },
});
