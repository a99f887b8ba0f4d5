import { AppError } from '../../errors/app-error.js';
import type { Decision, GateRequest } from '../decision.js';
import { header } from '../request-kind.js';
import type { FlowContext } from './context.js';

/**
 * `LOGOUT_PATH`: ends the session, then single logout at the provider when it offers
 * it. GET stays for compatibility (a cross-site GET can sign a user out); a POST
 * from another site is refused, so apps can offer a CSRF-safe logout form.
 */
export async function logoutFlow(ctx: FlowContext, req: GateRequest): Promise<Decision> {
  if (req.method === 'POST' && isCrossSite(ctx, req)) {
    throw new AppError('BAD_REQUEST', 'This sign-out request came from another site.', 'cross-site POST logout');
  }
  const { sessions, oidc, config, metrics, logger } = ctx.deps;
  const { session, setCookies } = await sessions.end(req.cookies);
  metrics.logouts.inc();
  logger.info({ event: 'logout', correlationId: req.correlationId(), sub: session?.sub }, 'logout');
  const endSession = oidc.endSessionUrl(session?.idToken);
  return { kind: 'redirect', reason: 'logout', location: endSession?.href ?? config.postLogoutRedirectUri, setCookies };
}

/** A browser says so with Sec-Fetch-Site, or with an Origin other than the app's. */
function isCrossSite(ctx: FlowContext, req: GateRequest): boolean {
  if (header(req.headers, 'sec-fetch-site')?.toLowerCase() === 'cross-site') return true;
  const origin = header(req.headers, 'origin');
  return origin !== undefined && origin !== 'null' && origin !== ctx.url('');
}

/** The signed-out page. */
export function signedOutFlow(ctx: FlowContext): Decision {
  return { kind: 'signed-out', loginUrl: ctx.url(ctx.paths.login), setCookies: [] };
}
