import { GRAPH_FAILED, inOverage } from '../../authz/bearer/bearer-check.js';
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
  /** `ENTRA_GROUPS_OVERAGE=graph`: the groups of a session whose id_token has them in overage. */
  readonly overageGroups?:
    ((claims: Readonly<Record<string, unknown>>) => Promise<readonly string[] | undefined>) | undefined;
}

/** Every other path: a valid session that passes `ASSERT_CLAIMS` is let through with identity headers. */
export async function sessionCheck(ctx: FlowContext, rules: SessionRules, req: GateRequest): Promise<Decision> {
  const { sessions, config } = ctx.deps;
  const loaded = await sessions.get(req.cookies); // undefined also when ended meanwhile: a logout elsewhere
  if (loaded === undefined) return unauthenticated(ctx, req);
  const { setCookies } = loaded;
  if (!rules.authorized(loaded.session.claims) && !(await overageAuthorized(ctx, rules, loaded.session.claims))) {
    return {
      kind: 'forbidden',
      user: displayName(loaded.session.claims),
      logoutUrl: ctx.url(config.logoutPath),
      setCookies,
    };
  }
  return { kind: 'allow', headers: rules.identity(loaded.session), setCookies };
}

/** No session: a navigation goes to login, anything else gets 401 with where to log in. */
function unauthenticated(ctx: FlowContext, req: GateRequest): Promise<Decision> | Decision {
  const { config } = ctx.deps;
  const returnTo = safeReturnTo(req.uri, config.postLoginRedirectPath, ctx.reserved);
  if (config.unauthenticatedBehavior === 'auto' && isNavigation(req.method, req.headers))
    return startLogin(ctx, req, returnTo);
  return {
    kind: 'unauthenticated',
    loginUrl: `${ctx.url(config.loginPath)}?redirect=${encodeURIComponent(returnTo)}`,
    setCookies: [],
  };
}

/**
 * A session refused by `ASSERT_CLAIMS` whose id_token has its groups in overage
 * (`_claim_names.groups`): with `ENTRA_GROUPS_OVERAGE=graph` the rules are checked again
 * with the groups from Microsoft Graph; else (or when Graph fails) the refusal stands, logged.
 */
async function overageAuthorized(
  ctx: FlowContext,
  rules: SessionRules,
  claims: Readonly<Record<string, unknown>>,
): Promise<boolean> {
  if (!inOverage(claims)) return false;
  const groups = rules.overageGroups ? await rules.overageGroups(claims) : undefined;
  if (groups !== undefined) return rules.authorized({ ...claims, groups });
  ctx.deps.logger.info(
    { event: 'groups_overage_denied', sub: claims.sub, graph: rules.overageGroups !== undefined },
    rules.overageGroups ? GRAPH_FAILED : 'groups overage: ENTRA_GROUPS_OVERAGE=deny refuses rules on groups',
  );
  return false;
}
