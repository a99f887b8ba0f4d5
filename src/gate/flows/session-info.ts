import type { ActiveSession } from '../../session/session-reader.js';
import { endsAt, nowSeconds } from '../../session/session.js';
import { FORCED_REFRESH_COOLDOWN, refreshDueAt } from '../checks/refresh-policy.js';
import type { Decision, GateRequest } from '../decision.js';
import type { FlowContext } from './context.js';

/**
 * Through forwardAuth a 2xx answer is never shown to the browser: the proxy passes the
 * request on to the app. There the session endpoint answers its JSON with this status,
 * so it reaches the caller and is never mistaken for "let it through"; route the paths
 * to the service directly (the chart's direct route) to get 200.
 */
export const FORWARDED_STATUS = 421;

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

/** The session's times and the access token's expiry, never a token. */
export function sessionInfo(ctx: FlowContext, active: ActiveSession, now = nowSeconds()): Record<string, unknown> {
  const { session } = active;
  const { sessionIdleTimeout, sessionMaxAge } = ctx.deps.config;
  const timeoutAt = session.lastSeenAt + sessionIdleTimeout;
  const expires = session.accessTokenExpiresAt;
  const refreshedAt = session.refreshedAt ?? session.createdAt;
  const due = ctx.refresher?.auto === true ? refreshDueAt(session, ctx.deps.config.tokenRefreshMargin) : undefined;
  const cooldown = Math.max(0, refreshedAt + FORCED_REFRESH_COOLDOWN - now);
  return {
    session: {
      created_at: iso(session.createdAt),
      ends_at: iso(session.expiresAt),
      timeout_at: iso(timeoutAt),
      ends_in_seconds: Math.max(0, session.expiresAt - now),
      timeout_in_seconds: Math.max(0, timeoutAt - now),
      active: now < endsAt(session, { maxAge: sessionMaxAge, idleTimeout: sessionIdleTimeout }),
    },
    tokens: {
      expire_at: expires === undefined ? null : iso(expires),
      expire_in_seconds: expires === undefined ? null : Math.max(0, expires - now),
      refreshed_at: iso(refreshedAt),
      refreshable: session.refreshToken !== undefined && ctx.refresher !== undefined,
      next_auto_refresh_in_seconds: due === undefined ? -1 : Math.max(0, due - now),
      refresh_cooldown: cooldown > 0,
      refresh_cooldown_seconds: cooldown,
    },
  };
}

function json(
  req: GateRequest,
  status: number,
  body: Record<string, unknown>,
  setCookies: readonly string[] = [],
): Decision {
  const forwarded = req.forwarded === true && status >= 200 && status < 300;
  return { kind: 'json', status: forwarded ? FORWARDED_STATUS : status, body, setCookies };
}

function noSession(ctx: FlowContext, req: GateRequest, setCookies: readonly string[] = []): Decision {
  const loginUrl = ctx.url(ctx.deps.config.loginPath);
  return json(req, 401, { error: 'unauthenticated', message: 'Sign in first.', loginUrl }, setCookies);
}

function wrongMethod(allow: string): Decision {
  return {
    kind: 'json',
    status: 405,
    body: { error: 'method_not_allowed', message: `Use ${allow}.` },
    headers: { Allow: allow },
    setCookies: [],
  };
}

/** `GET /oauth2/session`: the session's metadata (200), or 401 JSON without one. Never a redirect. */
export async function sessionFlow(ctx: FlowContext, req: GateRequest): Promise<Decision> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return wrongMethod('GET, HEAD');
  const active = await ctx.deps.sessions.get(req.cookies);
  if (active === undefined) return noSession(ctx, req);
  return json(req, 200, sessionInfo(ctx, active), active.setCookies);
}

/**
 * `POST /oauth2/session/refresh`: refreshes the tokens now, at most once per
 * cooldown (`FORCED_REFRESH_COOLDOWN` seconds since the last refresh or the login),
 * and answers like `GET /oauth2/session`. A refusal by the provider ends the session (401).
 */
export async function sessionRefreshFlow(ctx: FlowContext, req: GateRequest): Promise<Decision> {
  if (req.method !== 'POST') return wrongMethod('POST');
  const active = await ctx.deps.sessions.get(req.cookies);
  if (active === undefined) return noSession(ctx, req);
  const { refresher } = ctx;
  if (!refresher?.canForce(active.session)) return json(req, 200, sessionInfo(ctx, active), active.setCookies);
  const result = await refresher.refresh(active, req.cookies, req.correlationId);
  if (result.kind === 'ended') return noSession(ctx, req, result.setCookies);
  const setCookies = result.active.setCookies.length > 0 ? result.active.setCookies : active.setCookies;
  return json(req, 200, sessionInfo(ctx, result.active), setCookies);
}
