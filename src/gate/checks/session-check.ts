import type { ClaimPredicate } from '../../authz/claim-rules.js';
import type { Session } from '../../session/session.js';
import type { Decision, GateRequest } from '../decision.js';
import { displayName } from '../identity-headers.js';
import { isNavigation } from '../request-kind.js';
import { safeReturnTo } from '../return-to.js';
import type { FlowContext } from '../flows/context.js';
import { startLogin } from '../flows/login.js';

/** The compiled rules a session check applies. */
export interface SessionRules {
  readonly authorized: ClaimPredicate;
  readonly identity: (session: Session) => Record<string, string>;
}

const ANONYMOUS: Decision = { kind: 'bypass', anonymous: true, setCookies: [] };

/** Every other path: a valid session that passes `ASSERT_CLAIMS` is let through with identity headers. */
export async function sessionCheck(ctx: FlowContext, rules: SessionRules, req: GateRequest): Promise<Decision> {
  const { sessions, config } = ctx.deps;
  const loaded = await sessions.get(req.cookies); // undefined also when ended meanwhile: a logout elsewhere
  if (loaded === undefined) return unauthenticated(ctx, req);
  const { setCookies } = loaded;
  if (!rules.authorized(loaded.session.claims)) {
    // Also under UNAUTHENTICATED_BEHAVIOR=pass: a signed-in user who fails the rules is refused, not anonymous.
    const returnTo = safeReturnTo(req.uri, config.postLoginRedirectPath, ctx.reserved);
    return {
      kind: 'forbidden',
      user: displayName(loaded.session.claims),
      logoutUrl: ctx.url(config.logoutPath),
      switchAccountUrl: `${ctx.url(config.loginPath)}?prompt=select_account&redirect=${encodeURIComponent(returnTo)}`,
      setCookies,
    };
  }
  return { kind: 'allow', headers: rules.identity(loaded.session), setCookies };
}

/**
 * No session (or an invalid cookie): `pass` lets it through without identity headers; else a
 * navigation goes to login, anything else gets 401 with where to log in.
 */
function unauthenticated(ctx: FlowContext, req: GateRequest): Promise<Decision> | Decision {
  const { config } = ctx.deps;
  if (config.unauthenticatedBehavior === 'pass') return ANONYMOUS;
  const returnTo = safeReturnTo(req.uri, config.postLoginRedirectPath, ctx.reserved);
  if (config.unauthenticatedBehavior === 'auto' && isNavigation(req.method, req.headers))
    return startLogin(ctx, req, returnTo);
  return {
    kind: 'unauthenticated',
    loginUrl: `${ctx.url(config.loginPath)}?redirect=${encodeURIComponent(returnTo)}`,
    setCookies: [],
  };
}
