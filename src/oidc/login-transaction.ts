import { createHash } from 'node:crypto';
import { EncryptJWT, jwtDecrypt } from 'jose';
import { clearCookie, setCookie, type CookiePolicy } from '../session/cookies.js';
import { deriveKey } from '../session/keys.js';
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
  private readonly key: Uint8Array;
  private readonly prefix: string;

  constructor(secret: string, cookieNamePrefix: string, private readonly policy: CookiePolicy) {
    this.key = deriveKey(secret, 'login-transaction');
    this.prefix = `${cookieNamePrefix}tx_`;
  }

  private cookieName(state: string): string {
    return this.prefix + createHash('sha256').update(state).digest('base64url').slice(0, 16);
  }

  /** Set-Cookie values that store the transaction (and drop the oldest open ones). */
  async begin(tx: LoginTransaction, cookies: Cookies): Promise<string[]> {
    const value = await new EncryptJWT({ tx })
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .setIssuedAt()
      .setExpirationTime(`${TRANSACTION_TTL}s`)
      .encrypt(this.key);
    const open = Object.keys(cookies).filter((name) => name.startsWith(this.prefix));
    const stale = open.slice(0, Math.max(0, open.length - (MAX_OPEN - 1)));
    // Lax whatever COOKIE_SAMESITE says: the provider's redirect back is a cross-site navigation.
    const policy = { ...this.policy, sameSite: 'Lax' as const };
    return [...stale.map((name) => clearCookie(name, policy)), setCookie(this.cookieName(tx.state), value, TRANSACTION_TTL, policy)];
  }

  /** The transaction this browser started for `state`, or undefined (missing, expired, tampered). */
  async find(state: string, cookies: Cookies): Promise<LoginTransaction | undefined> {
    const value = cookies[this.cookieName(state)];
    if (!value) return undefined;
    try {
      const { payload } = await jwtDecrypt(value, this.key, { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] });
      const tx = payload.tx as LoginTransaction | undefined;
      return tx && tx.state === state && typeof tx.codeVerifier === 'string' && typeof tx.returnTo === 'string' ? tx : undefined;
    } catch {
      return undefined;
    }
  }

  /** The Set-Cookie value that ends the transaction for `state`. */
  end(state: string): string {
    return clearCookie(this.cookieName(state), { ...this.policy, sameSite: 'Lax' });
  }
}
