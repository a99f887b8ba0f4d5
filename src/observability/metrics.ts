import { Counter, Histogram, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { TallyHistogram } from './tally-histogram.js';

/** What a forward-auth check decided; one label value each. */
export type CheckOutcome =
  'allowed' | 'login_redirect' | 'unauthenticated' | 'forbidden' | 'bypass' | 'anonymous' | 'error' | 'flow';

/** Every outcome, so each series exists (at 0) from the start. */
export const CHECK_OUTCOMES: readonly CheckOutcome[] = [
  'allowed',
  'login_redirect',
  'unauthenticated',
  'forbidden',
  'bypass',
  'anonymous',
  'error',
  'flow',
];

/**
 * How one token refresh ended (`idp_token_refresh_total{outcome}`): `refreshed` (this
 * process redeemed the refresh token), `shared` (another replica's refresh was used),
 * `ended` (the provider refused: the session ended), `rejected` (the new id_token failed
 * validation: the session ended), `failed` (provider error or timeout: the session kept),
 * `lock_timeout` (another holder did not finish in time: the session kept), `vanished`
 * (the session was ended meanwhile, e.g. by a logout; nothing revived).
 */
export type RefreshOutcome = 'refreshed' | 'shared' | 'ended' | 'rejected' | 'failed' | 'lock_timeout' | 'vanished';

/** Every refresh outcome, so each series exists (at 0) from the start. */
export const REFRESH_OUTCOMES: readonly RefreshOutcome[] = [
  'refreshed',
  'shared',
  'ended',
  'rejected',
  'failed',
  'lock_timeout',
  'vanished',
];

/**
 * The service's Prometheus metrics on a registry of its own, so tests and
 * several app instances in one process never collide.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly checks = new Counter({
    name: 'idp_checks_total',
    help: 'Forward-auth checks by outcome',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
    collect: () => {
      for (const [outcome, n] of this.pendingChecks) if (n > 0) this.checks.labels(outcome).inc(n);
      this.pendingChecks.clear();
    },
  });
  readonly checkSeconds = new TallyHistogram({
    name: 'idp_check_duration_seconds',
    help: 'Time to decide a forward-auth check',
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 0.5],
    registers: [this.registry],
  });
  readonly logins = new Counter({
    name: 'idp_logins_total',
    help: 'Logins by stage (started, completed, failed) and reason',
    labelNames: ['stage', 'reason'] as const,
    registers: [this.registry],
  });
  readonly logouts = new Counter({ name: 'idp_logouts_total', help: 'Logouts', registers: [this.registry] });
  readonly providerSeconds = new Histogram({
    name: 'idp_provider_request_duration_seconds',
    help: 'Latency of calls to the OpenID provider',
    labelNames: ['operation'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly tokenRefreshes = new Counter({
    name: 'idp_token_refresh_total',
    help: 'Token refreshes by outcome (refreshed, shared, ended, rejected, failed, lock_timeout, vanished)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly storeErrors = new Counter({
    name: 'idp_session_store_errors_total',
    help: 'Session store errors by operation',
    labelNames: ['operation'] as const,
    registers: [this.registry],
  });
  /** Sessions whose fallback copy (`SESSION_FALLBACK=cookie`) was not written because it would not fit one cookie chunk. */
  readonly fallbackSkipped = new Counter({
    name: 'idp_session_fallback_skipped_total',
    help: 'Sessions without a fallback copy because the copy would not fit one cookie chunk',
    registers: [this.registry],
  });
  /** What the Redis fallback did: `copy` (a check served from a copy), `outage_login`, `outage_session`, `migrated`, `restored`, `queued_delete`. */
  readonly fallbackEvents = new Counter({
    name: 'idp_session_fallback_total',
    help: 'Redis fallback events (copy, outage_login, outage_session, migrated, restored, queued_delete)',
    labelNames: ['event'] as const,
    registers: [this.registry],
  });
  /** The Redis circuit breaker (`REDIS_COMMAND_TIMEOUT`): 0 closed, 1 half-open (one probe in flight), 2 open. */
  readonly redisCircuit = new Gauge({
    name: 'idp_redis_circuit_state',
    help: 'Redis circuit breaker state: 0 closed, 1 half-open, 2 open',
    registers: [this.registry],
  });
  readonly cacheLookups = new Counter({
    name: 'idp_session_cache_lookups_total',
    help: 'Session cache lookups by result (hit, miss)',
    labelNames: ['result'] as const,
    registers: [this.registry],
    collect: () => {
      this.cacheLookups.labels('hit').inc(this.hits - this.hitsShown);
      this.cacheLookups.labels('miss').inc(this.misses - this.missesShown);
      this.hitsShown = this.hits;
      this.missesShown = this.misses;
    },
  });
  readonly cacheHitRatio = new Gauge({
    name: 'idp_session_cache_hit_ratio',
    help: 'Share of session lookups answered from the in-process cache since start',
    registers: [this.registry],
    collect: () => {
      const total = this.hits + this.misses;
      this.cacheHitRatio.set(total === 0 ? 0 : this.hits / total);
    },
  });
  // The hot path only counts in plain fields; the counters take the counts when scraped (`collect`).
  private hits = 0;
  private misses = 0;
  private hitsShown = 0;
  private missesShown = 0;
  private readonly pendingChecks = new Map<CheckOutcome, number>();

  constructor(options: { defaultMetrics?: boolean } = {}) {
    for (const outcome of CHECK_OUTCOMES) this.checks.labels(outcome).inc(0);
    for (const result of ['hit', 'miss']) this.cacheLookups.labels(result).inc(0);
    for (const outcome of REFRESH_OUTCOMES) this.tokenRefreshes.labels(outcome).inc(0);
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** Counts one cache lookup. Kept cheap: this is on the hot path. */
  cacheLookup(hit: boolean): void {
    if (hit) this.hits++;
    else this.misses++;
  }

  /** Counts one check and its duration (seconds). Kept cheap: this is on the hot path. */
  checked(outcome: CheckOutcome, seconds: number): void {
    this.pendingChecks.set(outcome, (this.pendingChecks.get(outcome) ?? 0) + 1);
    this.checkSeconds.observe(seconds);
  }
}
