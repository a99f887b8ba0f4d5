import { createHash } from 'node:crypto';
import { clearCookie, setCookie, type CookiePolicy } from '../session/cookies.js';
import { keyRing, type KeyBinding, type KeyRing } from '../session/keys.js';
import { openJwt, sealJwt } from '../session/sealed-jwt.js';
import type { Cookies } from '../session/store.js';

/** What a login in progress must remember between the redirect and the callback. */
export interface LoginTransaction {
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
  /** Path (and query) on the app's domain to return to. */
  readonly returnTo: string;
}

/** Seconds a login may take from redirect to callback. */
export const TRANSACTION_TTL = 600;
/** Logins in progress kept per browser (one per tab); older ones are dropped. */
const MAX_OPEN = 8;

/**
 * Keeps each login in progress in its own short-lived encrypted cookie, named
 * after its state, so several tabs can log in at once and a callback whose state
 * this browser did not start finds nothing.
 */
export class LoginTransactions {
  private readonly ring: KeyRing;
  private readonly binding: KeyBinding;
  private readonly prefix: string;

  /**
   * `secrets`: current first, the others still accepted. `app`: issuer, client id
   * and domain the cookies are bound to, together with the `<prefix>tx_` name family.
   */
  constructor(
    secrets: readonly string[],
    cookieNamePrefix: string,
    private readonly policy: CookiePolicy,
    app: Omit<KeyBinding, 'cookieName'>,
  ) {
    this.prefix = `${cookieNamePrefix}tx_`;
    this.binding = { ...app, cookieName: this.prefix };
    this.ring = keyRing(secrets, 'login-transaction', this.binding);
  }

  private cookieName(state: string): string {
    return this.prefix + createHash('sha256').update(state).digest('base64url').slice(0, 16);
  }

  /** Set-Cookie values that store the transaction (and drop the oldest open ones). */
  async begin(tx: LoginTransaction, cookies: Cookies): Promise<string[]> {
    const value = await sealJwt({ tx }, this.ring, this.binding, Math.floor(Date.now() / 1000) + TRANSACTION_TTL);
    const open = Object.keys(cookies).filter((name) => name.startsWith(this.prefix));
    const stale = open.slice(0, Math.max(0, open.length - (MAX_OPEN - 1)));
    // Lax whatever COOKIE_SAMESITE says: the provider's redirect back is a cross-site navigation.
    const policy = { ...this.policy, sameSite: 'Lax' as const };
    return [
      ...stale.map((name) => clearCookie(name, policy)),
      setCookie(this.cookieName(tx.state), value, TRANSACTION_TTL, policy),
    ];
  }

  /** The transaction this browser started for `state`, or undefined (missing, expired, tampered). */
  async find(state: string, cookies: Cookies): Promise<LoginTransaction | undefined> {
    const value = cookies[this.cookieName(state)];
    if (!value) return undefined;
    const tx = (await openJwt(value, this.ring, this.binding))?.tx as LoginTransaction | undefined;
    // The cookie name already hashes the state; comparing it again is defence in depth.
    return tx?.state === state && typeof tx.codeVerifier === 'string' && typeof tx.returnTo === 'string'
      ? tx
      : undefined;
  }

  /** The Set-Cookie value that ends the transaction for `state`. */
  end(state: string): string {
    return clearCookie(this.cookieName(state), { ...this.policy, sameSite: 'Lax' });
  }
}
