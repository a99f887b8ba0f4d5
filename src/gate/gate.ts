import { compileBypass } from '../authz/bypass-paths.js';
import { compileClaimRules } from '../authz/claim-rules.js';
import { LoginTransactions } from '../oidc/login-transaction.js';
import { appBinding } from '../session/create-session-manager.js';
import { createBearerStep, createGraphGroups, type BearerStep } from './checks/bearer-check.js';
import { sessionCheck, type SessionRules } from './checks/session-check.js';
import type { Decision, GateRequest } from './decision.js';
import { callbackFlow } from './flows/callback.js';
import type { FlowContext, GateDeps } from './flows/context.js';
import { loginFlow } from './flows/login.js';
import { logoutFlow, signedOutFlow } from './flows/logout.js';
import { compileIdentityHeaders } from './identity-headers.js';
import { resolvePaths } from './paths.js';

export type { GateDeps } from './flows/context.js';

/** One flow: the request and its query string (without `?`) in, a decision out. */
type Flow = (req: GateRequest, query: string) => Promise<Decision> | Decision;

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
  /** The bearer step before the session check; undefined when `BEARER_AUTH` is off. */
  private readonly bearer: BearerStep | undefined;

  constructor(deps: GateDeps) {
    const { config } = deps;
    const paths = resolvePaths(config);
    const origin = `${config.publicScheme}://${config.domain}`;
    this.bypass = compileBypass(config.bypassPaths);
    const graph = createGraphGroups(deps);
    this.rules = {
      authorized: compileClaimRules(config.assertClaims),
      identity: compileIdentityHeaders(config),
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
      reserved: [paths.callback, paths.login, paths.logout, paths.signedOut],
      url: (path) => origin + path,
    };
    const ctx = this.ctx;
    this.bearer = createBearerStep(deps, { overageGroups: graph });
    this.flows = new Map<string, Flow>([
      [paths.signedOut, () => signedOutFlow(ctx)],
      [paths.logout, (req) => logoutFlow(ctx, req)],
      [paths.login, (req, query) => loginFlow(ctx, req, query)],
      // The callback's query is passed on with its `?`, as openid-client expects.
      [paths.callback, (req, query) => callbackFlow(ctx, req, query === '' ? '' : `?${query}`)],
    ]);
  }

  /**
   * Decides one request: one of our own paths, a bypass, or an access check. The
   * path is everything before the first `?`: a `#` never ends it (docs/security.md).
   */
  async decide(req: GateRequest): Promise<Decision> {
    const query = req.uri.indexOf('?');
    const path = query === -1 ? req.uri : req.uri.slice(0, query);
    const flow = this.flows.get(path);
    if (flow !== undefined) return flow(req, query === -1 ? '' : req.uri.slice(query + 1));
    if (this.bypass(path)) return { kind: 'bypass', setCookies: [] };
    if (this.bearer !== undefined) {
      const decided = await this.bearer(req);
      if (decided !== undefined) return decided;
    }
    return sessionCheck(this.ctx, this.rules, req);
  }
}
