import { parse, serialize, type SerializeOptions } from 'cookie';

/** Attributes shared by the cookies the service sets. */
export interface CookiePolicy {
  readonly secure: boolean;
  readonly sameSite: 'Lax' | 'Strict' | 'None';
  readonly domain?: string | undefined;
}

/** Parses a Cookie header; malformed pairs are skipped, never thrown. */
export function parseCookies(header: string | undefined): Record<string, string | undefined> {
  if (!header) return {};
  try {
    return parse(header, { decode: (v) => v });
  } catch {
    return {};
  }
}

function attributes(policy: CookiePolicy, maxAge: number): SerializeOptions {
  return {
    httpOnly: true,
    secure: policy.secure,
    sameSite: policy.sameSite.toLowerCase() as 'lax' | 'strict' | 'none',
    path: '/',
    maxAge,
    ...(policy.domain ? { domain: policy.domain } : {}),
  };
}

/** A Set-Cookie value with HttpOnly, Secure, SameSite and Path=/; `value` must already be cookie-safe. */
export function setCookie(name: string, value: string, maxAge: number, policy: CookiePolicy): string {
  return serialize(name, value, { ...attributes(policy, maxAge), encode: (v) => v });
}

/** A Set-Cookie value that removes the cookie. */
export function clearCookie(name: string, policy: CookiePolicy): string {
  return serialize(name, '', { ...attributes(policy, 0), expires: new Date(0) });
}
