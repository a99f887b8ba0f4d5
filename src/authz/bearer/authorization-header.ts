/** What a request's `Authorization` header holds, as far as bearer tokens go. */
export type Credentials =
  /** No `Authorization` header. */
  | { readonly kind: 'none' }
  /** Another scheme (Basic, Negotiate…): not a bearer request. */
  | { readonly kind: 'other' }
  /** `Bearer` scheme, but not one RFC 6750 `b64token`: answered 400 `invalid_request`. */
  | { readonly kind: 'malformed'; readonly detail: string }
  /** `Bearer <b64token>`. */
  | { readonly kind: 'bearer'; readonly token: string };

// RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token; b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const BEARER = /^bearer(?: +([A-Za-z0-9\-._~+/]+=*))?$/i;
const SCHEME = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)(?:[ \t]|$)/;
const NONE: Credentials = { kind: 'none' };
const OTHER: Credentials = { kind: 'other' };

/**
 * Parses an `Authorization` header value strictly. The scheme is case-insensitive;
 * anything else with the `Bearer` scheme that is not exactly one b64token (no
 * token, two tokens, a tab, a comma, a stray character, several headers) is
 * malformed. Leading and trailing spaces are ignored, as HTTP does.
 */
export function parseAuthorization(value: string | readonly string[] | undefined): Credentials {
  if (value === undefined) return NONE;
  if (typeof value !== 'string') {
    if (value.length === 0) return NONE;
    if (value.length > 1)
      return value.some((v) => /^\s*bearer\b/i.test(v))
        ? { kind: 'malformed', detail: 'several Authorization headers' }
        : OTHER;
    return parseAuthorization(value[0]);
  }
  const trimmed = value.trim();
  if (trimmed === '') return NONE;
  const scheme = SCHEME.exec(trimmed)?.[1];
  if (scheme?.toLowerCase() !== 'bearer') {
    return /^bearer\b/i.test(trimmed) ? { kind: 'malformed', detail: 'not "Bearer <token>"' } : OTHER;
  }
  const token = BEARER.exec(trimmed)?.[1];
  if (token === undefined)
    return { kind: 'malformed', detail: /^bearer$/i.test(trimmed) ? 'no token' : 'not one b64token' };
  return { kind: 'bearer', token };
}
