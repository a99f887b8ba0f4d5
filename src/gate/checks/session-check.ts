import { GRAPH_FAILED, inOverage } from '../../authz/bearer/bearer-check.js';
import type { ClaimPredicate } from '../../authz/claim-rules.js';
import { AppError, isAppError } from '../../errors/app-error.js';
import type { ActiveSession } from '../../session/session-reader.js';
import { nowSeconds, type Session } from '../../session/session.js';
import type { Decision, GateRequest } from '../decision.js';
import { displayName } from '../identity-headers.js';
import { isNavigation } from '../request-kind.js';
import { safeReturnTo } from '../return-to.js';
import type { FlowContext } from '../flows/context.js';
import { startLogin } from '../flows/login.js';
import { forwardsTokens } from './refresh-policy.js';
import type { TokenRefresher } from './refresh.js';

/** The compiled rules a session check applies. */
export interface SessionRules {
  readonly authorized: ClaimPredicate;
  readonly identity: (session: Session) => Readonly<Record<string, string>>;
  /** True when a check uses the session's tokens (forwarded, or refreshed on the check); false lets a server store leave them out. */
  readonly tokens: boolean;
  /** `ENTRA_GROUPS_OVERAGE=graph`: the groups of a session whose id_token has them in overage. */
  readonly overageGroups?:
    ((claims: Readonly<Record<string, unknown>>) => Promise<readonly string[] | undefined>) | undefined;
}

const ANONYMOUS: Decision = { kind: 'bypass', anonymous: true, setCookies: [] };

/**
 * Every other path: a valid session that passes `ASSERT_CLAIMS` is let through with identity
 * headers. A session the cache alone decides, with no refresh due and the rules passed, is
 * answered synchronously: the hot path spends no promise on it.
 */
export function sessionCheck(ctx: FlowContext, rules: SessionRules, req: GateRequest): Decision | Promise<Decision> {
  const { sessions } = ctx.deps;
  // undefined also when ended meanwhile: a logout elsewhere
  const found = sessions.lookup(req.cookies, { tokens: rules.tokens });
  if (!(found instanceof Promise)) {
    const now = found === undefined ? undefined : allowedNow(ctx, rules, found);
    return now ?? checkLoaded(ctx, rules, req, found);
  }
  return found.then(
    (loaded) => checkLoaded(ctx, rules, req, loaded),
    (err: unknown) => {
      // SESSION_FALLBACK=cookie: with Redis away and no usable copy, a navigation logs in again
      // (and gets an outage cookie session); fetch/XHR keep the 503, so SPAs do not loop on logins.
      const outage = isAppError(err) && err.code === 'SESSION_STORE_UNAVAILABLE';
      if (!outage || !sessions.bridgesOutages || !isNavigation(req.method, req.headers)) throw err;
      return checkLoaded(ctx, rules, req, undefined);
    },
  );
}

/** The allow decision when nothing asynchronous is needed: not degraded, no refresh due, the rules passed. */
function allowedNow(ctx: FlowContext, rules: SessionRules, loaded: ActiveSession): Decision | undefined {
  if (loaded.degraded || refreshDue(ctx.refresher, loaded.session)) return undefined;
  return rules.authorized(loaded.session.claims) ? allow(rules, loaded) : undefined;
}

/** True when this check refreshes the session's tokens: the refresher works on checks (`auto`) and they are due. */
function refreshDue(refresher: TokenRefresher | undefined, session: Session): refresher is TokenRefresher {
  return refresher !== undefined && refresher.auto && refresher.isDue(session);
}

const allow = (rules: SessionRules, loaded: ActiveSession): Decision => ({
  kind: 'allow',
  headers: rules.identity(loaded.session),
  setCookies: loaded.setCookies,
});

/** The decision for the session found (undefined: none): refreshed when due, then the rules. */
async function checkLoaded(
  ctx: FlowContext,
  rules: SessionRules,
  req: GateRequest,
  found: ActiveSession | undefined,
): Promise<Decision> {
  const { sessions, config } = ctx.deps;
  let loaded = found;
  if (loaded === undefined) return withCookies(await unauthenticated(ctx, req), sessions.leftovers(req.cookies));
  const { refresher } = ctx;
  if (loaded.degraded) stillUsable(ctx, loaded);
  else if (refreshDue(refresher, loaded.session)) {
    const result = await refresher.refresh(loaded, req.cookies, req.correlationId);
    if (result.kind === 'ended') return withCookies(await unauthenticated(ctx, req), result.setCookies);
    if (result.kind === 'kept') stillUsable(ctx, result.active);
    loaded = result.active.setCookies.length > 0 ? result.active : { ...result.active, setCookies: loaded.setCookies };
  }
  const { setCookies } = loaded;
  if (!rules.authorized(loaded.session.claims) && !(await overageAuthorized(ctx, rules, loaded.session.claims))) {
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
  return allow(rules, loaded);
}

/**
 * A refresh that failed for now (provider error, timeout, lock timeout) keeps the
 * session while its access token is valid; once it has expired and must be
 * forwarded, the answer is 503, never a logout.
 */
function stillUsable(ctx: FlowContext, active: ActiveSession): void {
  const expires = active.session.accessTokenExpiresAt;
  if (expires !== undefined && nowSeconds() >= expires && forwardsTokens(ctx.deps.config)) {
    throw new AppError(
      'PROVIDER_UNAVAILABLE',
      'Your sign-in cannot be renewed right now. Please try again in a moment.',
      'token refresh failed and the access token has expired',
    );
  }
}

function withCookies(decision: Decision, setCookies: readonly string[]): Decision {
  return setCookies.length === 0 || decision.kind === 'bearer-refused'
    ? decision
    : { ...decision, setCookies: [...setCookies, ...decision.setCookies] };
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
