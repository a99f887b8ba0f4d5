import { defineSection, v } from '../declare.js';
import type { EnvReader } from '../env-reader.js';

/** Where sessions live. See docs/configuration.md#session_store. */
export type SessionStoreKind = 'cookie' | 'redis' | 'memory';

/** What keeps sessions usable while Redis is unreachable. See docs/configuration.md#session_fallback. */
export type SessionFallbackKind = 'none' | 'cookie';

/** Session keys, store and lifetimes. */
export interface SessionConfig {
  /** `SESSION_SECRET` / `SESSION_SECRET_FILE`, or the first of `SESSION_SECRETS`: the secret new sessions are encrypted with. Exactly 32 characters. */
  readonly sessionSecret: string;
  /** `SESSION_SECRETS` / `SESSION_SECRETS_FILE` (or `[SESSION_SECRET]`): newest first; encrypt with the first, decrypt with any, so secrets rotate without logging anyone out. */
  readonly sessionSecrets: readonly string[];
  /** `SESSION_STORE`: `cookie` (default), `redis` or `memory` (one process, development). */
  readonly sessionStore: SessionStoreKind;
  /** `SESSION_MAX_AGE`: absolute session lifetime in seconds. Default 43200 (12 h). */
  readonly sessionMaxAge: number;
  /** `SESSION_IDLE_TIMEOUT`: seconds without a request before a session ends. Default 3600. */
  readonly sessionIdleTimeout: number;
  /** `SESSION_CACHE_TTL`: seconds a checked session is served from the in-process cache (bounds cross-replica logout). Default 5, at most 5. */
  readonly sessionCacheTtl: number;
  /** `SESSION_CACHE_SIZE`: sessions kept in the in-process cache. Default 10000. */
  readonly sessionCacheSize: number;
  /** `SESSION_FALLBACK`: `none` (default) or `cookie` (only with `SESSION_STORE=redis`): an encrypted minimal copy of each session in `<prefix>session_fb`, used only while Redis is unreachable. */
  readonly sessionFallback: SessionFallbackKind;
  /** `SESSION_FALLBACK_MAX_AGE`: seconds a copy stays usable after Redis last confirmed its session. Default 900. */
  readonly sessionFallbackMaxAge: number;
  /** `SESSION_FALLBACK_RESTORE`: re-create sessions from valid copies after Redis lost its data (epoch key changed). Default false. */
  readonly sessionFallbackRestore: boolean;
}

/** Most secrets `SESSION_SECRETS` may list: every extra one is one more decryption try for a foreign cookie. */
export const MAX_SESSION_SECRETS = 10;
const SECRET_LENGTH = 32;
const GENERATE = 'generate one with `openssl rand -hex 16`';

function lengthProblem(label: string, secret: string): string | undefined {
  return secret.length === SECRET_LENGTH
    ? undefined
    : `${label} must be exactly ${SECRET_LENGTH} characters (got ${secret.length}); ${GENERATE}`;
}

/** Resolves `SESSION_SECRET` or `SESSION_SECRETS` (exactly one of them) into the list, newest first. */
function sessionSecrets(r: EnvReader, single: string | undefined, list: readonly string[] | undefined): string[] {
  if (single !== undefined && list !== undefined) {
    r.problems.push(
      'SESSION_SECRET and SESSION_SECRETS are both set (directly or through _FILE); set only one: SESSION_SECRETS lists the current secret first, then the previous ones',
    );
    return [];
  }
  if (list === undefined) {
    const secret = r.required(
      'SESSION_SECRET',
      single,
      `${GENERATE} (or list several in SESSION_SECRETS to rotate them)`,
    );
    const problem = secret === '' ? undefined : lengthProblem('SESSION_SECRET', secret);
    if (problem) r.problems.push(problem);
    return secret === '' ? [] : [secret];
  }
  if (list.length === 0)
    r.problems.push(
      'SESSION_SECRETS lists no secret: give the current one first, then the previous ones, separated by commas',
    );
  if (list.length > MAX_SESSION_SECRETS) {
    r.problems.push(
      `SESSION_SECRETS lists ${list.length} secrets, at most ${MAX_SESSION_SECRETS}: drop those older than SESSION_MAX_AGE`,
    );
  }
  list.forEach((secret, i) => {
    const problem = lengthProblem(`SESSION_SECRETS[${i}]`, secret);
    const first = list.indexOf(secret);
    if (problem) r.problems.push(problem);
    else if (first !== i) r.problems.push(`SESSION_SECRETS[${i}] repeats SESSION_SECRETS[${first}]`);
  });
  return [...list];
}

/** `SESSION_*`: keys, store and lifetimes. */
export const sessionSection = defineSection({
  name: 'session',
  variables: {
    secret: v.secret('SESSION_SECRET', {
      required: true,
      doc: 'Exactly 32 characters (openssl rand -hex 16); the session keys are derived from it.',
    }),
    secrets: v.secretList('SESSION_SECRETS', {
      doc: 'Instead of SESSION_SECRET: several such secrets, newest first; sessions are encrypted with the first and read with any.',
    }),
    sessionStore: v.oneOf('SESSION_STORE', ['cookie', 'redis', 'memory'] as const, 'cookie', {
      doc: 'Where sessions live: cookie, redis or memory (one process).',
    }),
    sessionMaxAge: v.integer('SESSION_MAX_AGE', 43200, 60, 31 * 86400, {
      doc: 'Absolute session lifetime in seconds.',
    }),
    sessionIdleTimeout: v.integer('SESSION_IDLE_TIMEOUT', 3600, 60, 31 * 86400, {
      doc: 'Seconds without a request after which the session ends.',
    }),
    sessionCacheTtl: v.integer('SESSION_CACHE_TTL', 5, 0, 5, {
      doc: 'Seconds a session read from Redis is served from the in-process cache.',
    }),
    sessionCacheSize: v.integer('SESSION_CACHE_SIZE', 10000, 0, 1000000, {
      doc: 'Sessions kept in the in-process cache.',
    }),
    sessionFallback: v.oneOf('SESSION_FALLBACK', ['none', 'cookie'] as const, 'none', {
      doc: 'cookie (only with SESSION_STORE=redis): an encrypted minimal copy of each session in a second cookie, used only while Redis is unreachable.',
    }),
    sessionFallbackMaxAge: v.integer('SESSION_FALLBACK_MAX_AGE', 900, 30, 86400, {
      doc: 'Seconds a fallback copy stays usable after Redis last confirmed its session.',
    }),
    sessionFallbackRestore: v.boolean('SESSION_FALLBACK_RESTORE', false, {
      doc: 'Re-create sessions from valid fallback copies after Redis lost its data (epoch key changed).',
    }),
  },
  build({ secret, secrets, ...rest }, r): SessionConfig {
    const list = sessionSecrets(r, secret, secrets);
    if (rest.sessionStore === 'memory') {
      r.warnings.push(
        'SESSION_STORE=memory keeps sessions in this process only: use it for development, never with several replicas',
      );
    }
    if (rest.sessionFallback === 'cookie' && rest.sessionStore !== 'redis') {
      r.problems.push(
        `SESSION_FALLBACK=cookie needs SESSION_STORE=redis (got ${rest.sessionStore}): it bridges Redis outages; unset SESSION_FALLBACK or use the redis store`,
      );
    }
    if (rest.sessionFallbackRestore && rest.sessionFallback !== 'cookie')
      r.problems.push(
        'SESSION_FALLBACK_RESTORE=true needs SESSION_FALLBACK=cookie: sessions are restored from their copies',
      );
    return { sessionSecret: list[0] ?? '', sessionSecrets: list, ...rest };
  },
});
