import { AppError } from '../../errors/app-error.js';
import { nowSeconds, type Session } from '../../session/session.js';
import type { Decision, GateRequest } from '../decision.js';
import type { FlowContext } from './context.js';

/** `CALLBACK_PATH`: exchanges the code, starts a fresh session and returns to where the login began. */
export async function callbackFlow(ctx: FlowContext, req: GateRequest, query: string): Promise<Decision> {
  const { sessions, oidc, config, metrics, logger } = ctx.deps;
  const params = new URLSearchParams(query);
  const state = params.get('state');
  try {
    if (state === null || state === '')
      throw new AppError(
        'LOGIN_STATE_MISMATCH',
        'This sign-in link is incomplete. Please sign in again.',
        'callback without state',
      );
    const tx = await ctx.transactions.find(state, req.cookies);
    if (tx === undefined) {
      throw new AppError(
        'LOGIN_EXPIRED',
        'This sign-in has expired or was started in another browser. Please sign in again.',
        'no login transaction for state',
      );
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
      refreshedAt: now,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: now + config.sessionMaxAge,
    };
    // A fresh id replaces any old session, which create() ends: no fixation.
    const setCookies = [...(await sessions.create(session, req.cookies)), ctx.transactions.end(state)];
    metrics.logins.inc({ stage: 'completed', reason: '' });
    logger.info(
      { event: 'login', correlationId: req.correlationId(), sub: session.sub, sid: session.sid },
      'login completed',
    );
    return { kind: 'redirect', reason: 'return', location: ctx.url(tx.returnTo), setCookies };
  } catch (err) {
    const code = (err as AppError).code ?? 'INTERNAL';
    metrics.logins.inc({ stage: 'failed', reason: code });
    throw err;
  }
}
