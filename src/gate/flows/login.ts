import { loginHints, type LoginHints } from '../../oidc/login-hints.js';
import { OidcClient } from '../../oidc/oidc-client.js';
import type { Decision, GateRequest } from '../decision.js';
import { header } from '../request-kind.js';
import { safeReturnTo } from '../return-to.js';
import type { FlowContext } from './context.js';

/**
 * `LOGIN_PATH`: where to return comes from `?redirect=`, else a same-site Referer, else the
 * default; `prompt`, `login_hint` and `domain_hint` go on to the provider (`loginHints`).
 */
export function loginFlow(ctx: FlowContext, req: GateRequest, query: string): Promise<Decision> {
  const params = new URLSearchParams(query);
  return startLogin(ctx, req, loginReturnTo(ctx, req, params), loginHints(params));
}

function loginReturnTo(ctx: FlowContext, req: GateRequest, params: URLSearchParams): string {
  const fallback = ctx.deps.config.postLoginRedirectPath;
  const redirect = params.get('redirect') ?? undefined;
  if (redirect !== undefined) return safeReturnTo(redirect, fallback, ctx.reserved);
  const referer = header(req.headers, 'referer');
  if (referer === undefined) return fallback;
  // A Referer from another site says nothing about where to return on this one.
  try {
    if (new URL(referer).host !== ctx.deps.config.domain) return fallback;
  } catch {
    return fallback;
  }
  return safeReturnTo(referer, fallback, ctx.reserved);
}

/** Redirects to the provider with a fresh login transaction that returns to `returnTo`. */
export async function startLogin(
  ctx: FlowContext,
  req: GateRequest,
  returnTo: string,
  hints: LoginHints = {},
): Promise<Decision> {
  const checks = OidcClient.newChecks();
  const location = await ctx.deps.oidc.authorizationUrl(checks, hints);
  const setCookies = await ctx.transactions.begin({ ...checks, returnTo }, req.cookies);
  ctx.deps.metrics.logins.inc({ stage: 'started', reason: '' });
  return { kind: 'redirect', reason: 'login', location: location.href, setCookies };
}
