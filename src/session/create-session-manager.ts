import type { Config } from '../config/index.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { forwardsTokens } from '../gate/checks/refresh-policy.js';
import { claimProjection } from './claim-projection.js';
import { CookieSessionStore } from './cookie-store.js';
import { FallbackCodec } from './fallback-copy.js';
import { FallbackSessionManager } from './fallback-session-manager.js';
import { SessionFallback } from './fallback.js';
import { OutageSessions } from './outage-sessions.js';
import type { KeyBinding } from './keys.js';
import { MemoryBackend } from './memory-backend.js';
import { CircuitBreaker, type BreakerState } from './circuit-breaker.js';
import { createRedisClient } from './redis-client.js';
import { RedisBackend } from './redis.js';
import { RevocationList } from './revocations.js';
import { ServerSessionStore } from './server-store.js';
import { SessionManager } from './session-manager.js';

/** The app every key is bound to: the configured issuer, client id and domain. */
export function appBinding(config: Config): Omit<KeyBinding, 'cookieName'> {
  return { issuer: config.issuerUrl.href, clientId: config.clientId, domain: config.domain };
}

/**
 * The Redis namespace of this app, `idp:<client id>:`: derived from the client id,
 * not the cookie prefix, as Entra's `sid` is shared by every app of a browser session
 * and two apps on one Redis must never end or read each other's sessions.
 */
export function redisNamespace(clientId: string): string {
  return `idp:${encodeURIComponent(clientId)}:`;
}

/**
 * Builds the session manager over the configured store. Redis is connected here;
 * a Redis that is down at start is reported by /readyz and retried in the background.
 */
export function createSessionManager(config: Config, logger: Logger, metrics?: Metrics): SessionManager {
  const common = {
    secrets: config.sessionSecrets,
    app: appBinding(config),
    cookieName: `${config.cookieNamePrefix}session`,
    policy: { secure: config.cookieSecure, sameSite: config.cookieSameSite, domain: config.cookieDomain },
    lifetime: { maxAge: config.sessionMaxAge, idleTimeout: config.sessionIdleTimeout },
  };
  const manager = { lifetime: common.lifetime, cacheSize: config.sessionCacheSize, logger, metrics };
  if (config.sessionStore === 'cookie') {
    // With Redis configured, cookie sessions become revocable on every replica, and the
    // refresh locks and results are shared by the replicas.
    const { url, sentinels, clusterNodes } = config.redis;
    const shared = url !== undefined || sentinels.length > 0 || clusterNodes.length > 0;
    if (!shared) return new SessionManager({ ...manager, store: new CookieSessionStore(common) });
    const coordination = redisBackend(config, logger, metrics);
    const revocations = new RevocationList({
      backend: coordination,
      ttlSeconds: config.sessionMaxAge,
      cacheTtlSeconds: config.sessionCacheTtl,
      logger,
    });
    return new SessionManager({ ...manager, store: new CookieSessionStore({ ...common, coordination }), revocations });
  }
  const store = (backend: MemoryBackend | RedisBackend) =>
    new ServerSessionStore({ ...common, backend, cacheSize: config.sessionCacheSize, metrics });
  // One process holds every memory session, so its cache could only go stale.
  if (config.sessionStore === 'memory')
    return new SessionManager({ ...manager, store: store(new MemoryBackend()), cacheTtl: 0 });
  const redis = redisBackend(config, logger, metrics);
  const server = store(redis);
  if (config.sessionFallback !== 'cookie')
    return new SessionManager({ ...manager, store: server, cacheTtl: config.sessionCacheTtl });
  const copyName = `${common.cookieName}_fb`;
  const options = {
    codec: new FallbackCodec({
      ...common,
      cookieName: copyName,
      project: claimProjection(config.assertClaims, config.headers),
    }),
    outage: new CookieSessionStore(common),
    store: server,
    backend: redis,
    lifetime: common.lifetime,
    maxAge: config.sessionFallbackMaxAge,
    restore: config.sessionFallbackRestore,
    forwardsTokens: forwardsTokens(config),
    sessionName: common.cookieName,
    copyName,
    policy: common.policy,
    logger,
    metrics,
  };
  const copies = new SessionFallback(options);
  const outage = new OutageSessions(options, copies);
  return new FallbackSessionManager({ ...manager, store: server, cacheTtl: config.sessionCacheTtl, copies, outage });
}

/** `idp_redis_circuit_state` values. */
const CIRCUIT_STATE: Readonly<Record<BreakerState, number>> = { closed: 0, 'half-open': 1, open: 2 };

/** A connected Redis backend whose every command is bounded by `REDIS_COMMAND_TIMEOUT` behind one circuit breaker. */
function redisBackend(config: Config, logger: Logger, metrics?: Metrics): RedisBackend {
  const breaker = new CircuitBreaker({
    timeoutMs: config.redis.commandTimeoutMs,
    onStateChange: (state) => {
      metrics?.redisCircuit.set(CIRCUIT_STATE[state]);
      if (state === 'open')
        logger.warn({ store: 'redis' }, 'redis circuit open: commands fail at once for 1 s, then one probe');
      else if (state === 'closed') logger.info({ store: 'redis' }, 'redis circuit closed: redis answers again');
    },
  });
  const redis = new RedisBackend(createRedisClient(config.redis, logger), redisNamespace(config.clientId), breaker);
  redis.connect(logger);
  return redis;
}
