import { EncryptJWT, jwtDecrypt } from 'jose';
import { LRUCache } from 'lru-cache';
import { AppError } from '../errors/app-error.js';
import type { Metrics } from '../observability/metrics.js';
import { clearCookie, setCookie, type CookiePolicy } from './cookies.js';
import { deriveKey } from './keys.js';
import { SESSION_CACHE_MAX_BYTES, endsAt, isLive, sessionBytes, isSession, needsTouch, nowSeconds, type Session, type SessionLifetime } from './session.js';
import type { Cookies, LoadedSession, SessionStore } from './store.js';

/** Characters per cookie chunk: with name and attributes each Set-Cookie stays under 4 KB. */
export const CHUNK_SIZE = 3800;
/** Most chunks a session may use (`<prefix>session`, `<prefix>session_1` … `_5`). */
export const MAX_CHUNKS = 6;

/** What the cookie store needs: the secret to derive its key, cookie name and policy, lifetimes and cache size. */
export interface CookieStoreOptions {
  readonly secret: string;
  readonly cookieName: string;
  readonly policy: CookiePolicy;
  readonly lifetime: SessionLifetime;
  readonly cacheSize: number;
  readonly metrics?: Metrics | undefined;
}

/**
 * Keeps the whole session in the browser: a JWE (dir + A256GCM, jose) under a key
 * derived from SESSION_SECRET, split across cookies when large. Decrypted
 * sessions are cached by their exact cookie value; expiry is checked on every use.
 */
export class CookieSessionStore implements SessionStore {
  readonly kind = 'cookie';
  private readonly key: Uint8Array;
  private readonly cache: LRUCache<string, Session>;
  /**
   * The refreshed cookies last issued for a cookie value, reused until the next
   * touch is due: a page's parallel requests (or a client that ignores Set-Cookie)
   * carry the old value, and each would otherwise pay a fresh encryption.
   */
  private readonly refreshed: LRUCache<string, { readonly until: number; readonly setCookies: string[] }>;

  constructor(private readonly options: CookieStoreOptions) {
    this.key = deriveKey(options.secret, 'session-cookie');
    this.cache = new LRUCache({
      max: Math.max(1, options.cacheSize),
      // The key is the cookie value itself; the decrypted session is about as large again.
      maxSize: SESSION_CACHE_MAX_BYTES,
      sizeCalculation: (value, key) => key.length + sessionBytes(value),
    });
    // Only the requests racing a refresh need an entry, so a small bound (~4 KB each) suffices.
    this.refreshed = new LRUCache({ max: Math.max(1, Math.min(options.cacheSize, 1000)) });
  }

  cookieNames(): string[] {
    return Array.from({ length: MAX_CHUNKS }, (_, i) => this.chunkName(i));
  }

  private chunkName(i: number): string {
    return i === 0 ? this.options.cookieName : `${this.options.cookieName}_${i}`;
  }

  private joined(cookies: Cookies): string | undefined {
    const first = cookies[this.chunkName(0)];
    if (!first) return undefined;
    let value = first;
    for (let i = 1; i < MAX_CHUNKS; i++) {
      const next = cookies[this.chunkName(i)];
      if (next === undefined) break;
      value += next;
    }
    return value;
  }

  async load(cookies: Cookies): Promise<LoadedSession | undefined> {
    const value = this.joined(cookies);
    if (value === undefined || value.length > CHUNK_SIZE * MAX_CHUNKS) return undefined;
    let session = this.options.cacheSize > 0 ? this.cache.get(value) : undefined;
    this.options.metrics?.cacheLookup(session !== undefined);
    if (session === undefined) {
      session = await this.decrypt(value);
      if (session === undefined) return undefined;
      if (this.options.cacheSize > 0) this.cache.set(value, session);
    }
    return isLive(session, this.options.lifetime) ? { session } : undefined;
  }

  private async decrypt(value: string): Promise<Session | undefined> {
    try {
      const { payload } = await jwtDecrypt(value, this.key, { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] });
      const session = payload.s;
      return isSession(session) ? session : undefined;
    } catch {
      return undefined; // tampered, truncated, foreign or expired: no session
    }
  }

  async create(session: Session, cookies: Cookies): Promise<string[]> {
    const now = nowSeconds();
    const jwe = await new EncryptJWT({ s: session })
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .setIssuedAt(now)
      .setExpirationTime(session.expiresAt)
      .encrypt(this.key);
    const count = Math.ceil(jwe.length / CHUNK_SIZE);
    if (count > MAX_CHUNKS) {
      throw new AppError('SESSION_TOO_LARGE', 'Your sign-in is too large to keep in a cookie. Ask the administrator to use the redis session store.', `session needs ${count} cookies`);
    }
    const maxAge = Math.max(1, endsAt(session, this.options.lifetime) - now);
    const out: string[] = [];
    for (let i = 0; i < count; i++) {
      out.push(setCookie(this.chunkName(i), jwe.slice(i * CHUNK_SIZE, (i + 1) * CHUNK_SIZE), maxAge, this.options.policy));
    }
    for (let i = count; i < MAX_CHUNKS; i++) {
      if (cookies[this.chunkName(i)] !== undefined) out.push(clearCookie(this.chunkName(i), this.options.policy));
    }
    return out;
  }

  async touch(loaded: LoadedSession, cookies: Cookies): Promise<string[]> {
    if (!needsTouch(loaded.session, this.options.lifetime)) return [];
    const value = this.options.cacheSize > 0 ? this.joined(cookies) : undefined;
    const now = nowSeconds();
    const previous = value === undefined ? undefined : this.refreshed.get(value);
    if (previous !== undefined && now < previous.until) return previous.setCookies;
    const setCookies = await this.create({ ...loaded.session, lastSeenAt: now }, cookies);
    // Reuse is safe for as long as a touch would not be due again on the refreshed session.
    const interval = Math.min(60, Math.floor(this.options.lifetime.idleTimeout / 10));
    if (value !== undefined) this.refreshed.set(value, { until: now + interval, setCookies });
    return setCookies;
  }

  async destroy(cookies: Cookies): Promise<string[]> {
    const value = this.joined(cookies);
    if (value !== undefined) {
      this.cache.delete(value);
      this.refreshed.delete(value);
    }
    return this.cookieNames()
      .filter((name, i) => i === 0 || cookies[name] !== undefined)
      .map((name) => clearCookie(name, this.options.policy));
  }

  /** The cookie store keeps nothing server side, so it cannot end another browser's session. */
  async destroyBySid(): Promise<number> {
    return 0;
  }

  async ping(): Promise<void> {}
  async close(): Promise<void> {
    this.cache.clear();
    this.refreshed.clear();
  }
}
