import { randomBytes } from 'node:crypto';
import { sign, unsign } from 'cookie-signature';
import { LRUCache } from 'lru-cache';
import type { Metrics } from '../observability/metrics.js';
import { guarded, type Backend, type BackendLock } from './backend.js';
import { clearCookie, setCookie, type CookiePolicy } from './cookies.js';
import { keyRing, type KeyBinding } from './keys.js';
import { HandleCache } from './handle-cache.js';
import { SecondSighting } from './second-sighting.js';
import { SidIndex, type IndexedBy } from './sid-index.js';
import { SealedRecords } from './sealed-record.js';
import { endsAt, nowSeconds, splitTokens, type Session, type SessionLifetime, type SessionTokens } from './session.js';
import type { Cookies, SessionStore } from './store.js';

/** A generation of the signature cache's admission filter: SESSION_CACHE_TTL's bound. */
const SIGNATURE_ADMISSION_MS = 5000;

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
 * Sessions in a backend (redis, memory) under `sess:<id>` and their tokens under `tok:<id>`, sealed (`SealedRecords`:
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
  /** Admits a signature to `verified` when its cookie comes back within 5-10 s, as a session in use does; one of 100,000 in rotation would only churn it. */
  private readonly doorkeeper = new SecondSighting({ generationMs: SIGNATURE_ADMISSION_MS });
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
      if (this.options.cacheSize > 0 && this.doorkeeper.sighted(HandleCache.fingerprint(raw)))
        this.verified.set(raw, id);
      return id;
    }
    return undefined;
  }

  /**
   * The session `id`. Its tokens are sealed apart (`tok:<id>`): `tokens: false` reads only
   * the rest (`tokensApart`), a third to a tenth of the bytes for a check that forwards no
   * token; otherwise both keys are read at once. A record written before the split holds its
   * tokens itself and reads whole either way.
   */
  async read(id: string, tokens = true): Promise<Session | undefined> {
    const record = this.call('get', () => this.options.backend.get(`sess:${id}`));
    if (!tokens) return this.records.open(id, await record);
    const [value, sealedTokens] = await Promise.all([
      record,
      this.call('get', () => this.options.backend.get(`tok:${id}`)),
    ]);
    const session = await this.records.open(id, value);
    if (session?.tokensApart !== true) return session;
    // Tokens that are gone or do not open leave a session without tokens (it cannot refresh).
    return { ...splitTokens(session).rest, ...this.records.openTokens(id, sealedTokens) };
  }

  private ttl(session: Session): number {
    return Math.max(1, endsAt(session, this.options.lifetime) - nowSeconds());
  }

  /** Seals `tokens` (when there are some) under `tok:<id>` until `expiresAt`, the session's absolute end; true when there were some. */
  private async putTokens(id: string, tokens: SessionTokens | undefined, expiresAt: number): Promise<boolean> {
    if (tokens === undefined) return false;
    const sealed = this.records.sealTokens(id, tokens, expiresAt);
    const ttl = Math.max(1, expiresAt - nowSeconds());
    await this.call('set', () => this.options.backend.set(`tok:${id}`, sealed, ttl));
    return true;
  }

  async write(session: Session): Promise<{ handle: string; setCookies: string[] }> {
    const id = randomBytes(32).toString('base64url');
    const { rest, tokens } = splitTokens(session);
    const apart = await this.putTokens(id, tokens, session.expiresAt);
    const record = await this.records.seal(id, rest, session.expiresAt, apart);
    await this.call('set', () => this.options.backend.set(`sess:${id}`, record, this.ttl(session)));
    const indexTtl = session.expiresAt - nowSeconds();
    if (session.sid) await this.call('index', () => this.index.add('sid', session.sid as string, id, indexTtl));
    await this.call('index', () => this.index.add('sub', session.sub, id, indexTtl));
    const maxAge = Math.max(1, session.expiresAt - nowSeconds());
    const value = `s:${sign(id, this.signingKeys[0])}`;
    return { handle: id, setCookies: [setCookie(this.options.cookieName, value, maxAge, this.options.policy)] };
  }

  /**
   * Replaces the session only while it exists. A session read without its tokens (a touch
   * of a check's session) rewrites only its record and keeps the tokens; one carrying tokens
   * (a refresh) writes them first, and takes them back when the session had ended meanwhile.
   */
  async replace(id: string, session: Session): Promise<string[] | undefined> {
    const { rest, tokens } = splitTokens(session);
    const apart = session.tokensApart === true || (await this.putTokens(id, tokens, session.expiresAt));
    const record = await this.records.seal(id, rest, session.expiresAt, apart);
    const stored = await this.call('set', () =>
      this.options.backend.setIfPresent(`sess:${id}`, record, this.ttl(session)),
    );
    if (!stored && session.tokensApart !== true && apart) await this.dropTokens(id);
    return stored ? [] : undefined;
  }

  private async dropTokens(id: string): Promise<void> {
    await this.call('destroy', () => this.options.backend.delete(`tok:${id}`));
  }

  async delete(id: string): Promise<void> {
    await this.call('destroy', () => this.options.backend.delete(`sess:${id}`));
    await this.dropTokens(id);
  }

  clear(): string[] {
    return [clearCookie(this.options.cookieName, this.options.policy)];
  }

  async deleteBy(by: IndexedBy, value: string): Promise<string[]> {
    const ids = await this.call('index', () => this.index.take(by, value));
    const ended: string[] = [];
    for (const id of ids) {
      if (await this.call('destroy', () => this.options.backend.delete(`sess:${id}`))) ended.push(id);
      await this.dropTokens(id);
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
