import { randomBytes } from 'node:crypto';
import { sign, unsign } from 'cookie-signature';
import { LRUCache } from 'lru-cache';
import type { Metrics } from '../observability/metrics.js';
import { guarded, type Backend, type BackendLock } from './backend.js';
import { clearCookie, setCookie, type CookiePolicy } from './cookies.js';
import { keyRing, type KeyBinding } from './keys.js';
import { SidIndex, type IndexedBy } from './sid-index.js';
import { SealedRecords } from './sealed-record.js';
import { endsAt, nowSeconds, type Session, type SessionLifetime } from './session.js';
import type { Cookies, SessionStore } from './store.js';

/** What a server-side store needs: its backend, secrets, the app its signatures are bound to, cookie settings. */
export interface ServerStoreOptions {
  readonly backend: Backend;
  /** `SESSION_SECRETS`: sign with the first, verify with any. */
  readonly secrets: readonly string[];
  /** Issuer, client id and domain of this app; the cookie name is added. */
  readonly app: Omit<KeyBinding, 'cookieName'>;
  readonly cookieName: string;
  readonly policy: CookiePolicy;
  readonly lifetime: SessionLifetime;
  /** Bound of the cache of verified signatures; 0 turns it off. */
  readonly cacheSize: number;
  readonly metrics?: Metrics | undefined;
}

/**
 * Sessions in a backend (redis, memory) under `sess:<id>`, sealed (`SealedRecords`:
 * encrypted and authenticated under a key bound to this app and the id, which the
 * backend never holds), found by sid and sub through `SidIndex`. The cookie holds only the random id, signed as express-session
 * signs it (`s:<id>.<hmac>`, cookie-signature) under a key bound to this app.
 */
export class ServerSessionStore implements SessionStore {
  readonly kind: string;
  readonly inCookie = false;
  private readonly signingKeys: string[];
  private readonly index: SidIndex;
  /** Signed cookie values already verified, to their id: the HMAC is the costliest step of a cached check. */
  private readonly verified: LRUCache<string, string>;
  private readonly records: SealedRecords;

  constructor(private readonly options: ServerStoreOptions) {
    this.kind = options.backend.kind;
    const ring = keyRing(options.secrets, 'session-id-signature', { ...options.app, cookieName: options.cookieName });
    this.signingKeys = ring.all.map((k) => Buffer.from(k.key).toString('base64'));
    this.records = new SealedRecords(options.secrets, { ...options.app, cookieName: options.cookieName });
    this.index = new SidIndex(options.backend);
    this.verified = new LRUCache({ max: Math.max(1, options.cacheSize) });
  }

  private call<T>(operation: string, work: () => Promise<T>): Promise<T> {
    return guarded(this.kind, operation, work, this.options.metrics);
  }

  cookieNames(): string[] {
    return [this.options.cookieName];
  }

  handle(cookies: Cookies): string | undefined {
    const raw = cookies[this.options.cookieName];
    if (!raw || !raw.startsWith('s:') || raw.length > 200) return undefined;
    // Same answer as unsign: the key is the exact value that verified under one of this store's keys.
    const known = this.verified.get(raw);
    if (known !== undefined) return known;
    for (const key of this.signingKeys) {
      const id = unsign(raw.slice(2), key);
      if (id === false) continue;
      if (this.options.cacheSize > 0) this.verified.set(raw, id);
      return id;
    }
    return undefined;
  }

  read(id: string): Promise<Session | undefined> {
    return this.call('get', () => this.options.backend.get(`sess:${id}`)).then((value) => this.records.open(id, value));
  }

  private ttl(session: Session): number {
    return Math.max(1, endsAt(session, this.options.lifetime) - nowSeconds());
  }

  async write(session: Session): Promise<{ handle: string; setCookies: string[] }> {
    const id = randomBytes(32).toString('base64url');
    const record = await this.records.seal(id, session, session.expiresAt);
    await this.call('set', () => this.options.backend.set(`sess:${id}`, record, this.ttl(session)));
    const indexTtl = session.expiresAt - nowSeconds();
    if (session.sid) await this.call('index', () => this.index.add('sid', session.sid as string, id, indexTtl));
    await this.call('index', () => this.index.add('sub', session.sub, id, indexTtl));
    const maxAge = Math.max(1, session.expiresAt - nowSeconds());
    const value = `s:${sign(id, this.signingKeys[0])}`;
    return { handle: id, setCookies: [setCookie(this.options.cookieName, value, maxAge, this.options.policy)] };
  }

  async replace(id: string, session: Session): Promise<string[] | undefined> {
    const record = await this.records.seal(id, session, session.expiresAt);
    const stored = await this.call('set', () =>
      this.options.backend.setIfPresent(`sess:${id}`, record, this.ttl(session)),
    );
    return stored ? [] : undefined;
  }

  async delete(id: string): Promise<void> {
    await this.call('destroy', () => this.options.backend.delete(`sess:${id}`));
  }

  clear(): string[] {
    return [clearCookie(this.options.cookieName, this.options.policy)];
  }

  async deleteBy(by: IndexedBy, value: string): Promise<string[]> {
    const ids = await this.call('index', () => this.index.take(by, value));
    const ended: string[] = [];
    for (const id of ids) {
      if (await this.call('destroy', () => this.options.backend.delete(`sess:${id}`))) ended.push(id);
    }
    return ended;
  }

  lock(key: string, ttlMs: number): Promise<BackendLock | undefined> {
    return this.call('lock', () => this.options.backend.lock(`lock:${key}`, ttlMs));
  }

  putNote(key: string, value: string, ttlSeconds: number): Promise<void> {
    return this.call('note', () => this.options.backend.set(`note:${key}`, value, ttlSeconds));
  }

  getNote(key: string): Promise<string | undefined> {
    return this.call('note', () => this.options.backend.get(`note:${key}`));
  }

  ping(): Promise<void> {
    return this.options.backend.ping();
  }

  async close(): Promise<void> {
    this.verified.clear();
    await this.options.backend.close();
  }
}
