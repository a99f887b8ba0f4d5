import { compileBypass } from '../authz/bypass-paths.js';
import { compileClaimRules } from '../authz/claim-rules.js';
import { LoginTransactions } from '../oidc/login-transaction.js';
import { appBinding } from '../session/create-session-manager.js';
import { TokenRefresher } from './checks/refresh.js';
import { forwardsTokens, refreshEnabled } from './checks/refresh-policy.js';
import { createBearerStep, createGraphGroups, type BearerStep } from './checks/bearer-check.js';
import { sessionCheck, type SessionRules } from './checks/session-check.js';
import type { Decision, GateRequest } from './decision.js';
import { callbackFlow } from './flows/callback.js';
import type { FlowContext, GateDeps } from './flows/context.js';
import { loginFlow } from './flows/login.js';
import { frontchannelLogoutFlow } from './flows/frontchannel-logout.js';
import { localLogoutFlow, logoutFlow, signedOutFlow } from './flows/logout.js';
import { compileIdentityHeaders } from './identity-headers.js';
import {
  LOGOUT_BACKCHANNEL_PATH,
  LOGOUT_FRONTCHANNEL_PATH,
  LOGOUT_LOCAL_PATH,
  SESSION_PATH,
  SESSION_REFRESH_PATH,
  resolvePaths,
} from './paths.js';
import { AppError } from '../errors/app-error.js';
import { isNavigation } from './request-kind.js';
import { sessionFlow, sessionRefreshFlow } from './flows/session-info.js';

export type { GateDeps } from './flows/context.js';

/** One flow: the request and its query string (without `?`) in, a decision out. */
type Flow = (req: GateRequest, query: string) => Promise<Decision> | Decision;

function backchannelNeedsDirectRoute(): never {
  throw new AppError(
    'BAD_REQUEST',
    'Back-channel logout must be routed to the service directly, not through forwardAuth.',
    'back-channel logout through forwardAuth',
  );
}

/**
 * Every access decision, independent of how the request arrived (forwardAuth
 * subrequest, direct call, or sidecar proxy). Rules are compiled once here.
 */
export class Gate {
  private readonly bypass: (path: string) => boolean;
  private readonly rules: SessionRules;
  private readonly ctx: FlowContext;
  /** The service's own paths on the app's domain, each to its flow; every other path is checked. */
  private readonly flows: ReadonlyMap<string, Flow>;
  /** The login flows (start and callback), whose failures go to `ERROR_REDIRECT_PATH` when set. */
  private readonly loginPaths: ReadonlySet<string>;
  /** `<scheme>://<DOMAIN><ERROR_REDIRECT_PATH>`, or undefined: failed logins show the error page. */
  private readonly errorUrl: string | undefined;
  /** The bearer step before the session check; undefined when `BEARER_AUTH` is off. */
  private readonly bearer: BearerStep | undefined;

  constructor(deps: GateDeps) {
    const { config } = deps;
    const paths = resolvePaths(config);
    const origin = `${config.publicScheme}://${config.domain}`;
    // The error page is public: a user whose login failed must see it, not be sent to log in again.
    const errorPage = config.errorRedirectPath === undefined ? [] : [config.errorRedirectPath];
    this.bypass = compileBypass([...config.bypassPaths, ...errorPage]);
    const graph = createGraphGroups(deps);
    this.rules = {
      authorized: compileClaimRules(config.assertClaims),
      identity: compileIdentityHeaders(config),
      tokens: forwardsTokens(config) || refreshEnabled(config),
      overageGroups: graph,
    };
    this.ctx = {
      deps,
      paths,
      transactions: new LoginTransactions(
        config.sessionSecrets,
        config.cookieNamePrefix,
        { secure: config.cookieSecure, sameSite: config.cookieSameSite, domain: config.cookieDomain },
        appBinding(config),
      ),
      reserved: [
        paths.callback,
        paths.login,
        paths.logout,
        paths.signedOut,
        LOGOUT_FRONTCHANNEL_PATH,
        LOGOUT_BACKCHANNEL_PATH,
        LOGOUT_LOCAL_PATH,
        SESSION_PATH,
        SESSION_REFRESH_PATH,
      ],
      refresher:
        config.tokenRefresh === 'off'
          ? undefined
          : new TokenRefresher(deps, config.tokenRefreshMargin, refreshEnabled(config)),
      url: (path) => origin + path,
    };
    const ctx = this.ctx;
    this.loginPaths = new Set([paths.login, paths.callback]);
    this.errorUrl = config.errorRedirectPath === undefined ? undefined : ctx.url(config.errorRedirectPath);
    this.bearer = createBearerStep(deps, { overageGroups: graph });
    this.flows = new Map<string, Flow>([
      [paths.signedOut, (req) => signedOutFlow(ctx, req)],
      [paths.logout, (req, query) => logoutFlow(ctx, req, query)],
      [LOGOUT_LOCAL_PATH, (req) => localLogoutFlow(ctx, req)],
      [LOGOUT_FRONTCHANNEL_PATH, (req, query) => frontchannelLogoutFlow(ctx, req, query)],
      // The provider's POST carries a body, which a forwardAuth subrequest never does.
      [LOGOUT_BACKCHANNEL_PATH, backchannelNeedsDirectRoute],
      [paths.login, (req, query) => loginFlow(ctx, req, query)],
      [SESSION_PATH, (req) => sessionFlow(ctx, req)],
      [SESSION_REFRESH_PATH, (req) => sessionRefreshFlow(ctx, req)],
      // The callback's query is passed on with its `?`, as openid-client expects.
      [paths.callback, (req, query) => callbackFlow(ctx, req, query === '' ? '' : `?${query}`)],
    ]);
  }

  /**
   * Decides one request: one of our own paths, a bypass, or an access check. The
   * path is everything before the first `?`: a `#` never ends it (docs/security.md).
   */
  async decide(req: GateRequest): Promise<Decision> {
    return this.decideNow(req);
  }

  /**
   * `decide`, but synchronous where no I/O is needed (a bypass, a cached session or bearer
   * token): the hot path's way past a promise per check. It may throw synchronously.
   */
  decideNow(req: GateRequest): Decision | Promise<Decision> {
    const query = req.uri.indexOf('?');
    const path = query === -1 ? req.uri : req.uri.slice(0, query);
    const flow = this.flows.get(path);
    if (flow !== undefined) return flow(req, query === -1 ? '' : req.uri.slice(query + 1));
    if (this.bypass(path)) return { kind: 'bypass', setCookies: [] };
    if (this.bearer !== undefined) {
      const decided = this.bearer(req);
      if (decided instanceof Promise) return decided.then((d) => d ?? sessionCheck(this.ctx, this.rules, req));
      if (decided !== undefined) return decided;
    }
    return sessionCheck(this.ctx, this.rules, req);
  }

  /**
   * Where a failed login sends the browser under `ERROR_REDIRECT_PATH`, given the error's
   * status: only for a navigation to the login or callback path. The URL carries the
   * correlation id and the status, never a parameter of the failed request (no code,
   * state or error). Undefined: the error page (or JSON for fetch/XHR), as without it.
   */
  errorRedirect(req: GateRequest): ((status: number) => string) | undefined {
    const base = this.errorUrl;
    if (base === undefined || !isNavigation(req.method, req.headers)) return undefined;
    const query = req.uri.indexOf('?');
    if (!this.loginPaths.has(query === -1 ? req.uri : req.uri.slice(0, query))) return undefined;
    return (status) => `${base}?correlation_id=${encodeURIComponent(req.correlationId())}&status_code=${status}`;
  }
}
