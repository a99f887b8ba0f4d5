import { defineSection, v } from '../declare.js';

/** Names and attributes of the cookies the service sets. */
export interface CookieConfig {
  /** `COOKIE_NAME_PREFIX`: prefix of every cookie the service sets. Default `_idp_`. */
  readonly cookieNamePrefix: string;
  /** `COOKIE_DOMAIN`: Domain attribute of the session cookie. Default: none (host-only, safest). */
  readonly cookieDomain: string | undefined;
  /** `COOKIE_SAMESITE`: `Lax` (default), `Strict` or `None` for the session cookie. */
  readonly cookieSameSite: 'Lax' | 'Strict' | 'None';
  /** `COOKIE_SECURE`: Secure flag on cookies. Default true; false only for plain-http local use. */
  readonly cookieSecure: boolean;
}

const COOKIE_PREFIX = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,32}$/;

/** `COOKIE_*`: cookie names and attributes. */
export const cookieSection = defineSection({
  name: 'cookie',
  variables: {
    cookieNamePrefix: v.string('COOKIE_NAME_PREFIX', '_idp_', { doc: 'Prefix of every cookie the service sets.' }),
    cookieDomain: v.string('COOKIE_DOMAIN', undefined, { doc: 'Domain attribute of the session cookie.' }),
    cookieSameSite: v.oneOf('COOKIE_SAMESITE', ['Lax', 'Strict', 'None'] as const, 'Lax', {
      doc: 'SameSite attribute of the session cookie; None requires Secure.',
    }),
    cookieSecure: v.boolean('COOKIE_SECURE', true, { doc: 'The Secure flag; false only for plain-http local use.' }),
  },
  build(values, r): CookieConfig {
    if (!COOKIE_PREFIX.test(values.cookieNamePrefix)) {
      r.problems.push(`COOKIE_NAME_PREFIX must be 1-32 cookie-name characters (got "${values.cookieNamePrefix}")`);
    }
    if (!values.cookieSecure) r.warnings.push('COOKIE_SECURE=false: session cookies may travel over plain http');
    if (values.cookieSameSite === 'None' && !values.cookieSecure)
      r.problems.push('COOKIE_SAMESITE=None requires COOKIE_SECURE=true');
    return values;
  },
});
