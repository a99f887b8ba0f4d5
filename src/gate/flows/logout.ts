import { AppError } from '../../errors/app-error.js';
import type { Decision, GateRequest } from '../decision.js';
import { header } from '../request-kind.js';
import type { FlowContext } from './context.js';
import { logoutRedirect, rememberLogoutReturn, takeLogoutReturn } from './logout-return.js';

/**
 * `LOGOUT_PATH`: ends the session, then single logout at the provider when it offers
 * it. GET stays for compatibility (a cross-site GET can sign a user out); a POST
 * from another site is refused, so apps can offer a CSRF-safe logout form. With
 * `?redirect=/path` the browser lands on that path of the app afterwards: straight
 * away without an end-session endpoint, else through the signed-out page, which
 * finds the path in a short-lived cookie (`post_logout_redirect_uri` stays the one
 * registered URI).
 */
export async function logoutFlow(ctx: FlowContext, req: GateRequest, query: string): Promise<Decision> {
  refuseCrossSitePost(ctx, req);
  const { sessions, oidc, config, metrics, logger } = ctx.deps;
  const path = logoutRedirect(ctx, query);
  const { session, setCookies } = await sessions.end(req.cookies);
  metrics.logouts.inc();
  logger.info({ event: 'logout', correlationId: req.correlationId(), sub: session?.sub }, 'logout');
  const endSession = oidc.endSessionUrl(session?.idToken);
  if (endSession === undefined) {
    const location = path === undefined ? config.postLogoutRedirectUri : ctx.url(path);
    return { kind: 'redirect', reason: 'logout', location, setCookies };
  }
  if (path !== undefined) setCookies.push(rememberLogoutReturn(ctx, path));
  return { kind: 'redirect', reason: 'logout', location: endSession.href, setCookies };
}

/** `/oauth2/logout/local`: ends the session here only, without the provider round trip; 204 with the cookies cleared. */
export async function localLogoutFlow(ctx: FlowContext, req: GateRequest): Promise<Decision> {
  refuseCrossSitePost(ctx, req);
  const { session, setCookies } = await ctx.deps.sessions.end(req.cookies);
  ctx.deps.metrics.logouts.inc();
  ctx.deps.logger.info(
    { event: 'logout', scope: 'local', correlationId: req.correlationId(), sub: session?.sub },
    'local logout',
  );
  return { kind: 'signed-out-local', setCookies };
}

function refuseCrossSitePost(ctx: FlowContext, req: GateRequest): void {
  if (req.method === 'POST' && isCrossSite(ctx, req)) {
    throw new AppError('BAD_REQUEST', 'This sign-out request came from another site.', 'cross-site POST logout');
  }
}

/** A browser says so with Sec-Fetch-Site, or with an Origin other than the app's. */
function isCrossSite(ctx: FlowContext, req: GateRequest): boolean {
  if (header(req.headers, 'sec-fetch-site')?.toLowerCase() === 'cross-site') return true;
  const origin = header(req.headers, 'origin');
  return origin !== undefined && origin !== 'null' && origin !== ctx.url('');
}

/** The signed-out page, or the path a logout asked to land on (`?redirect=`), once. */
export function signedOutFlow(ctx: FlowContext, req: GateRequest): Decision {
  const { path, setCookies } = takeLogoutReturn(ctx, req.cookies);
  if (path !== undefined) return { kind: 'redirect', reason: 'return', location: ctx.url(path), setCookies };
  return { kind: 'signed-out', loginUrl: ctx.url(ctx.paths.login), setCookies };
}
