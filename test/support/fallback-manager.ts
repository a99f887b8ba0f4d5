import { Writable } from 'node:stream';
import type { ClaimRule } from '../../src/authz/claim-rules.js';
import type { HeaderTemplate } from '../../src/config/config.js';
import { createLogger } from '../../src/observability/logger.js';
import { Metrics } from '../../src/observability/metrics.js';
import { claimProjection } from '../../src/session/claim-projection.js';
import { BackendUnreachableError } from '../../src/session/circuit-breaker.js';
import { CookieSessionStore } from '../../src/session/cookie-store.js';
import { FallbackCodec } from '../../src/session/fallback-copy.js';
import { FallbackSessionManager } from '../../src/session/fallback-session-manager.js';
import { SessionFallback } from '../../src/session/fallback.js';
import { MemoryBackend } from '../../src/session/memory-backend.js';
import { OutageSessions } from '../../src/session/outage-sessions.js';
import { ServerSessionStore } from '../../src/session/server-store.js';

/** A memory backend that answers like a Redis that went away (BackendUnreachableError) while `down`. */
export class OutageBackend extends MemoryBackend {
  override readonly kind = 'redis' as unknown as 'memory';
  down = false;
  private check(): void {
    if (this.down) throw new BackendUnreachableError('error', 'connection lost');
  }
  override async get(key: string) {
    this.check();
    return super.get(key);
  }
  override async set(key: string, value: string, ttl: number) {
    this.check();
    return super.set(key, value, ttl);
  }
  override async setIfPresent(key: string, value: string, ttl: number) {
    this.check();
    return super.setIfPresent(key, value, ttl);
  }
  override async setIfAbsent(key: string, value: string, ttl: number) {
    this.check();
    return super.setIfAbsent(key, value, ttl);
  }
  override async delete(key: string) {
    this.check();
    return super.delete(key);
  }
  override async addToSet(key: string, member: string, ttl: number) {
    this.check();
    return super.addToSet(key, member, ttl);
  }
  override async ping() {
    this.check();
  }
  /** Forgets everything, as a Redis restarted without persistence. */
  wipe(): void {
    (this as unknown as { entries: Map<string, unknown> }).entries.clear();
  }
}

export const SECRET = '0123456789abcdef0123456789abcdef';
export const APP = { issuer: 'https://idp.test/', clientId: 'c', domain: 'app.test' };

/** What a fallback manager under test may vary. */
export interface FallbackManagerOptions {
  readonly rules?: readonly ClaimRule[];
  readonly headers?: readonly HeaderTemplate[];
  readonly restore?: boolean;
  readonly maxAge?: number;
  readonly forwardsTokens?: boolean;
  /** Shared by two managers as two replicas share Redis. */
  readonly backend?: OutageBackend;
}

/** A redis-store session manager with `SESSION_FALLBACK=cookie` wired as `createSessionManager` wires it. */
export function fallbackManager(options: FallbackManagerOptions = {}) {
  const lines: { level: number; msg: string; event?: string }[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  const logger = createLogger('info', sink);
  const metrics = new Metrics();
  const backend = options.backend ?? new OutageBackend();
  const lifetime = { maxAge: 3600, idleTimeout: 3600 };
  const policy = { secure: true, sameSite: 'Lax' as const };
  const common = { secrets: [SECRET], app: APP, cookieName: '_t_session', policy, lifetime };
  const store = new ServerSessionStore({ ...common, backend, cacheSize: 10, metrics });
  const copyName = '_t_session_fb';
  const fallbackOptions = {
    codec: new FallbackCodec({
      ...common,
      cookieName: copyName,
      project: claimProjection(options.rules ?? [], options.headers ?? []),
    }),
    outage: new CookieSessionStore(common),
    store,
    backend,
    lifetime,
    maxAge: options.maxAge ?? 900,
    restore: options.restore ?? false,
    forwardsTokens: options.forwardsTokens ?? false,
    sessionName: '_t_session',
    copyName,
    policy,
    logger,
    metrics,
  };
  const copies = new SessionFallback(fallbackOptions);
  const sessions = new FallbackSessionManager({
    store,
    lifetime,
    cacheSize: 10,
    cacheTtl: 0,
    logger,
    metrics,
    copies,
    outage: new OutageSessions(fallbackOptions, copies),
  });
  return { sessions, backend, metrics, lines, codec: fallbackOptions.codec };
}
