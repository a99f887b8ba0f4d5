import type { Config } from '../config/index.js';
import { compileBypass } from '../authz/bypass-paths.js';
import { compileClaimRules, type ClaimPredicate } from '../authz/claim-rules.js';
import { AppError } from '../errors/app-error.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { LoginTransactions } from '../oidc/login-transaction.js';
import { OidcClient } from '../oidc/oidc-client.js';
import { nowSeconds, type Session } from '../session/session.js';
import { appBinding } from '../session/create-session-manager.js';
import type { SessionManager } from '../session/session-manager.js';
import type { Decision, GateRequest } from './decision.js';
import { compileIdentityHeaders, displayName } from './identity-headers.js';
import { header, isNavigation } from './request-kind.js';
import { safeReturnTo } from './return-to.js';

/** What the gate needs; `createApp` builds it from these. */
export interface GateDeps {
  readonly config: Config;
  readonly sessions: SessionManager;
  readonly oidc: OidcClient;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/** The special path shown after logout. */
export const SIGNED_OUT_PATH = '/oauth2/signed-out';

/**
 * Every access decision, independent of how the request arrived (forwardAuth
 * subrequest, direct call, or sidecar proxy). Rules are compiled once here.
 */
export class Gate {
  private readonly bypass: (path: string) => boolean;
  private readonly authorized: ClaimPredicate;
  private readonly identity: (session: Session) => Record<string, string>;
  private readonly transactions: LoginTransactions;
  private readonly origin: string;
  private readonly reserved: string[];

  constructor(private readonly deps: GateDeps) {
    const { config } = deps;
    this.bypass = compileBypass(config.bypassPaths);
    this.authorized = compileClaimRules(config.assertClaims);
    this.identity = compileIdentityHeaders(config);
    this.transactions = new LoginTransactions(config.sessionSecrets, config.cookieNamePrefix, {
      secure: config.cookieSecure,
      sameSite: config.cookieSameSite,
      domain: config.cookieDomain,
    }, appBinding(config));
    this.origin = `${config.publicScheme}://${config.domain}`;
    this.reserved = [config.callbackPath, config.loginPath, config.logoutPath, SIGNED_OUT_PATH];
  }

  /** Decides one request: one of our own paths, a bypass, or an access check. */
  async decide(req: GateRequest): Promise<Decision> {
    const { config } = this.deps;
    const query = req.uri.indexOf('?');
    const path = query === -1 ? req.uri : req.uri.slice(0, query);
    switch (path) {
      case config.callbackPath:
        return this.callback(req, query === -1 ? '' : req.uri.slice(query));
      case config.loginPath:
        return this.login(req, this.loginReturnTo(req, query === -1 ? '' : req.uri.slice(query + 1)));
      case config.logoutPath:
        return this.logout(req);
      case SIGNED_OUT_PATH:
        return { kind: 'signed-out', loginUrl: this.url(config.loginPath), setCookies: [] };
      default:
    }
    if (this.bypass(path)) return { kind: 'bypass', setCookies: [] };
    return this.check(req);
  }

  private url(path: string): string {
    return this.origin + path;
  }

  private async check(req: GateRequest): Promise<Decision> {
    const { sessions, config } = this.deps;
    const loaded = await sessions.get(req.cookies); // undefined also when ended meanwhile: a logout elsewhere
    if (loaded === undefined) return this.unauthenticated(req);
    const { setCookies } = loaded;
    if (!this.authorized(loaded.session.claims)) {
      return { kind: 'forbidden', user: displayName(loaded.session.claims), logoutUrl: this.url(config.logoutPath), setCookies };
    }
    return { kind: 'allow', headers: this.identity(loaded.session), setCookies };
  }

  /** No session: a navigation goes to login, anything else gets 401 with where to log in. */
  private unauthenticated(req: GateRequest): Promise<Decision> | Decision {
    const { config } = this.deps;
    const returnTo = safeReturnTo(req.uri, config.postLoginRedirectPath, this.reserved);
    if (config.unauthenticatedBehavior === 'auto' && isNavigation(req.method, req.headers)) return this.login(req, returnTo);
    return { kind: 'unauthenticated', loginUrl: `${this.url(config.loginPath)}?redirect=${encodeURIComponent(returnTo)}`, setCookies: [] };
  }

  private loginReturnTo(req: GateRequest, query: string): string {
    const fallback = this.deps.config.postLoginRedirectPath;
    const redirect = new URLSearchParams(query).get('redirect') ?? undefined;
    if (redirect !== undefined) return safeReturnTo(redirect, fallback, this.reserved);
    const referer = header(req.headers, 'referer');
    if (referer === undefined) return fallback;
    // A Referer from another site says nothing about where to return on this one.
    try {
      if (new URL(referer).host !== this.deps.config.domain) return fallback;
    } catch {
      return fallback;
    }
    return safeReturnTo(referer, fallback, this.reserved);
  }

  private async login(req: GateRequest, returnTo: string): Promise<Decision> {
    const checks = OidcClient.newChecks();
    const location = await this.deps.oidc.authorizationUrl(checks);
    const setCookies = await this.transactions.begin({ ...checks, returnTo }, req.cookies);
    this.deps.metrics.logins.inc({ stage: 'started', reason: '' });
    return { kind: 'redirect', reason: 'login', location: location.href, setCookies };
  }

  private async callback(req: GateRequest, query: string): Promise<Decision> {
    const { sessions, oidc, config, metrics, logger } = this.deps;
    const params = new URLSearchParams(query);
    const state = params.get('state');
    try {
      if (state === null || state === '') throw new AppError('LOGIN_STATE_MISMATCH', 'This sign-in link is incomplete. Please sign in again.', 'callback without state');
      const tx = await this.transactions.find(state, req.cookies);
      if (tx === undefined) {
        throw new AppError('LOGIN_EXPIRED', 'This sign-in has expired or was started in another browser. Please sign in again.', 'no login transaction for state');
      }
      const tokens = await oidc.exchange(query, tx);
      const now = nowSeconds();
      const session: Session = {
        sub: String(tokens.claims.sub),
        claims: tokens.claims,
        sid: typeof tokens.claims.sid === 'string' ? tokens.claims.sid : undefined,
        idToken: tokens.idToken,
        accessToken: tokens.accessToken,
        refreshToken: tokens.refreshToken,
        accessTokenExpiresAt: tokens.accessTokenExpiresAt,
        createdAt: now,
        lastSeenAt: now,
        expiresAt: now + config.sessionMaxAge,
      };
      // A fresh id replaces any old session, which create() ends: no fixation.
      const setCookies = [...(await sessions.create(session, req.cookies)), this.transactions.end(state)];
      metrics.logins.inc({ stage: 'completed', reason: '' });
      logger.info({ event: 'login', correlationId: req.correlationId(), sub: session.sub, sid: session.sid }, 'login completed');
      return { kind: 'redirect', reason: 'return', location: this.url(tx.returnTo), setCookies };
    } catch (err) {
      const code = (err as AppError).code ?? 'INTERNAL';
      metrics.logins.inc({ stage: 'failed', reason: code });
      throw err;
    }
  }

  private async logout(req: GateRequest): Promise<Decision> {
    const { sessions, oidc, config, metrics, logger } = this.deps;
    const { session, setCookies } = await sessions.end(req.cookies);
    metrics.logouts.inc();
    logger.info({ event: 'logout', correlationId: req.correlationId(), sub: session?.sub }, 'logout');
    const endSession = oidc.endSessionUrl(session?.idToken);
    return { kind: 'redirect', reason: 'logout', location: endSession?.href ?? config.postLogoutRedirectUri, setCookies };
  }
}
