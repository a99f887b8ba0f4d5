import { clearCookie, setCookie, type CookiePolicy } from '../../session/cookies.js';
import type { Cookies } from '../../session/store.js';
import { safeReturnTo } from '../return-to.js';
import type { FlowContext } from './context.js';

/** Seconds the path to land on after logout is kept while the browser visits the provider's end-session page. */
export const LOGOUT_RETURN_MAX_AGE = 600;

function cookieName(ctx: FlowContext): string {
  return `${ctx.deps.config.cookieNamePrefix}logout_return`;
}

/** SameSite=Lax at least: the provider's redirect back is a cross-site navigation, which Strict would not carry it on. */
function policy(ctx: FlowContext): CookiePolicy {
  const { config } = ctx.deps;
  return {
    secure: config.cookieSecure,
    sameSite: config.cookieSameSite === 'None' ? 'None' : 'Lax',
    domain: config.cookieDomain,
  };
}

/**
 * The `?redirect=` of a logout, validated like every return-to URL (a path on the
 * app's own origin, never one of the service's flows); undefined when absent or unsafe.
 */
export function logoutRedirect(ctx: FlowContext, query: string): string | undefined {
  const redirect = new URLSearchParams(query).get('redirect') ?? undefined;
  const path = safeReturnTo(redirect, '', ctx.reserved);
  return path === '' ? undefined : path;
}

/**
 * Carries the path through the provider's end-session round trip: the registered
 * post-logout redirect URI stays the one `POST_LOGOUT_REDIRECT_URI`, so the path
 * rides in a short-lived cookie read back by the signed-out page.
 */
export function rememberLogoutReturn(ctx: FlowContext, path: string): string {
  return setCookie(cookieName(ctx), Buffer.from(path).toString('base64url'), LOGOUT_RETURN_MAX_AGE, policy(ctx));
}

/** The path remembered at logout (validated again), and the Set-Cookie that forgets it; none when there is no cookie. */
export function takeLogoutReturn(
  ctx: FlowContext,
  cookies: Cookies,
): { readonly path: string | undefined; readonly setCookies: string[] } {
  const value = cookies[cookieName(ctx)];
  if (value === undefined) return { path: undefined, setCookies: [] };
  const path = safeReturnTo(Buffer.from(value, 'base64url').toString('utf8'), '', ctx.reserved);
  return { path: path === '' ? undefined : path, setCookies: [clearCookie(cookieName(ctx), policy(ctx))] };
}
