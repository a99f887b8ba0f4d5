import { AppError } from '../../errors/app-error.js';
import type { Decision, GateRequest } from '../decision.js';
import type { FlowContext } from './context.js';

/**
 * `GET /oauth2/logout/frontchannel?sid=<sid>[&iss=<issuer>]` (Front-Channel Logout
 * 1.0), loaded by the provider in an iframe. It ends every session of that provider
 * `sid` server side (cookies do not reach a cross-site iframe): deleted from Redis
 * or memory, or revoked in Redis for cookie sessions, on every replica within
 * `SESSION_CACHE_TTL`. `iss` is optional (Entra sends only `sid`); when present it
 * must be the issuer, else 400 and nothing is ended. Without `sid` it ends the
 * session of the request's own cookies, which only a first-party frame carries.
 */
export async function frontchannelLogoutFlow(ctx: FlowContext, req: GateRequest, query: string): Promise<Decision> {
  const { sessions, oidc, config, logger, metrics } = ctx.deps;
  const params = new URLSearchParams(query);
  const issuer = oidc.ready ? oidc.metadata().issuer : config.issuerUrl.href;
  const iss = params.get('iss');
  if (iss !== null && iss !== issuer) {
    throw new AppError(
      'BAD_REQUEST',
      'This sign-out request names another identity provider.',
      'front-channel logout: iss mismatch',
    );
  }
  const sid = params.get('sid');
  let setCookies: string[] = [];
  let ended: number;
  if (sid === null || sid === '') {
    const result = await sessions.end(req.cookies);
    setCookies = result.setCookies;
    ended = result.session === undefined ? 0 : 1;
  } else {
    ended = await sessions.endBySid(sid);
  }
  metrics.logouts.inc();
  logger.info(
    { event: 'frontchannel_logout', correlationId: req.correlationId(), sid: sid ?? undefined, ended },
    'front-channel logout',
  );
  return {
    kind: 'frontchannel-logout',
    frameAncestor: new URL(issuer).origin,
    loginUrl: ctx.url(ctx.paths.login),
    forwarded: req.forwarded === true,
    setCookies,
  };
}
