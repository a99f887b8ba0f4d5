import { AppError } from '../errors/app-error.js';
import { guarded, type Backend, type BackendLock } from './backend.js';
import { clearCookie, setCookie, type CookiePolicy } from './cookies.js';
import { keyRing, type KeyBinding, type KeyRing } from './keys.js';
import { JoinedChunks } from './joined-chunks.js';
import { MemoryBackend } from './memory-backend.js';
import { openJwt, sealJwt } from './sealed-jwt.js';
import { endsAt, isSession, nowSeconds, type Session, type SessionLifetime } from './session.js';
import type { Cookies, SessionStore } from './store.js';

/** Characters per cookie chunk: with name and attributes each Set-Cookie stays under 4 KB. */
export const CHUNK_SIZE = 3800;
/** Most chunks a session may use (`<prefix>session`, `<prefix>session_1` … `_5`). */
export const MAX_CHUNKS = 6;

/** What the cookie store needs: the secrets, the app its keys are bound to, the cookie name and policy, lifetimes. */
export interface CookieStoreOptions {
  /** `SESSION_SECRETS`: seal with the first, open with any. */
  readonly secrets: readonly string[];
  /** Issuer, client id and domain of this app; the cookie name is added. */
  readonly app: Omit<KeyBinding, 'cookieName'>;
  readonly cookieName: string;
  readonly policy: CookiePolicy;
  readonly lifetime: SessionLifetime;
  /** Where locks and notes live: Redis when `REDIS_URL` is set (shared by replicas), else in-process. */
  readonly coordination?: Backend | undefined;
}

/**
 * Keeps the whole session in the browser: a JWE (dir + A256GCM, jose) under a key
 * derived from the secret and bound to this app and cookie name, split across
 * cookies when large. A pure codec: nothing is kept server side.
 */
export class CookieSessionStore implements SessionStore {
  readonly kind = 'cookie';
  readonly inCookie = true;
  private readonly binding: KeyBinding;
  private readonly ring: KeyRing;
  /** Locks and notes: in-process unless a shared backend (Redis) was given; sessions never go there. */
  private readonly locks: Backend;
  /** `<name>`, `<name>_1` … : built once, as every check looks them up. */
  private readonly chunkNames: readonly string[];
  /** Split values joined once per distinct value (256 values, at most 4 Mi characters in all). */
  private readonly joined = new JoinedChunks({ max: 256, maxChars: 4 * 1024 * 1024 });

  constructor(private readonly options: CookieStoreOptions) {
    this.chunkNames = Array.from({ length: MAX_CHUNKS }, (_, i) =>
      i === 0 ? options.cookieName : `${options.cookieName}_${i}`,
    );
    this.locks = options.coordination ?? new MemoryBackend();
    this.binding = { ...options.app, cookieName: options.cookieName };
    this.ring = keyRing(options.secrets, 'session-cookie', this.binding);
  }

  cookieNames(): string[] {
    return [...this.chunkNames];
  }

  private chunkName(i: number): string {
    return this.chunkNames[i];
  }

  handle(cookies: Cookies): string | undefined {
    const first = cookies[this.chunkName(0)];
    if (!first) return undefined;
    if (cookies[this.chunkName(1)] === undefined) return first.length > CHUNK_SIZE * MAX_CHUNKS ? undefined : first;
    const chunks = [first];
    let length = first.length;
    for (let i = 1; i < MAX_CHUNKS; i++) {
      const next = cookies[this.chunkName(i)];
      if (next === undefined) break;
      chunks.push(next);
      length += next.length;
    }
    return length > CHUNK_SIZE * MAX_CHUNKS ? undefined : this.joined.join(chunks, length);
  }

  async read(handle: string): Promise<Session | undefined> {
    const session = (await openJwt(handle, this.ring, this.binding))?.s;
    return isSession(session) ? session : undefined;
  }

  async write(session: Session, cookies: Cookies): Promise<{ handle: string; setCookies: string[] }> {
    const jwe = await sealJwt({ s: session }, this.ring, this.binding, session.expiresAt);
    const count = Math.ceil(jwe.length / CHUNK_SIZE);
    if (count > MAX_CHUNKS) {
      throw new AppError(
        'SESSION_TOO_LARGE',
        'Your sign-in is too large to keep in a cookie. Ask the administrator to use the redis session store.',
        `session needs ${count} cookies`,
      );
    }
    const maxAge = Math.max(1, endsAt(session, this.options.lifetime) - nowSeconds());
    const setCookies: string[] = [];
    for (let i = 0; i < count; i++) {
      setCookies.push(
        setCookie(this.chunkName(i), jwe.slice(i * CHUNK_SIZE, (i + 1) * CHUNK_SIZE), maxAge, this.options.policy),
      );
    }
    for (let i = count; i < MAX_CHUNKS; i++) {
      if (cookies[this.chunkName(i)] !== undefined)
        setCookies.push(clearCookie(this.chunkName(i), this.options.policy));
    }
    return { handle: jwe, setCookies };
  }

  /** The browser holds the only copy, so there is nothing that could have ended it. */
  async replace(_handle: string, session: Session, cookies: Cookies): Promise<string[]> {
    return (await this.write(session, cookies)).setCookies;
  }

  async delete(): Promise<void> {
    // Nothing on the server: the cookie is the session, and end() expires it.
  }

  clear(cookies: Cookies): string[] {
    return this.cookieNames()
      .filter((name, i) => i === 0 || cookies[name] !== undefined)
      .map((name) => clearCookie(name, this.options.policy));
  }

  /** The cookie store keeps nothing server side, so it cannot end another browser's session: always none. */
  async deleteBy(): Promise<string[]> {
    return [];
  }

  lock(key: string, ttlMs: number): Promise<BackendLock | undefined> {
    return guarded(this.locks.kind, 'lock', () => this.locks.lock(`lock:${key}`, ttlMs));
  }

  putNote(key: string, value: string, ttlSeconds: number): Promise<void> {
    return guarded(this.locks.kind, 'note', () => this.locks.set(`note:${key}`, value, ttlSeconds));
  }

  getNote(key: string): Promise<string | undefined> {
    return guarded(this.locks.kind, 'note', () => this.locks.get(`note:${key}`));
  }

  async ping(): Promise<void> {
    if (this.options.coordination !== undefined) await this.options.coordination.ping();
  }

  async close(): Promise<void> {
    await this.locks.close();
  }
}
