import type { IncomingMessage, ServerResponse } from 'node:http';
import { isAppError } from '../errors/app-error.js';
import { lazyCorrelationId } from '../gate/request-kind.js';
import { LogoutTokenVerifier } from '../oidc/logout-token.js';
import type { AppDeps } from './deps.js';
import type { Handler } from './deps.js';
import { readForm } from './read-form.js';

/** Largest back-channel logout body accepted (a logout token is well under 2 KB). */
export const MAX_LOGOUT_BODY = 16 * 1024;

const NO_STORE = { 'Cache-Control': 'no-cache, no-store', Pragma: 'no-cache' };

function answer(
  res: ServerResponse,
  status: number,
  body?: Record<string, string>,
  extra: Record<string, string> = {},
): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    ...NO_STORE,
    ...extra,
    'X-Content-Type-Options': 'nosniff',
    ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

/**
 * `POST /oauth2/logout/backchannel` (Back-Channel Logout 1.0): the provider posts a
 * `logout_token`; a valid one ends the sessions of its `sid` (or, without sid, of
 * its `sub`) on every replica, and answers 200. Any invalid request answers 400
 * `{"error":"invalid_request"}` and ends nothing. It must reach the service
 * directly: a forwardAuth subrequest carries no body (the chart's direct route).
 * Never a redirect, never a cookie.
 */
export function createBackchannelLogoutHandler(deps: AppDeps): Handler {
  const { config, oidc, sessions, logger, metrics } = deps;
  const verifier = new LogoutTokenVerifier(config.clientId);
  return async (req: IncomingMessage, res: ServerResponse) => {
    const correlationId = lazyCorrelationId(req.headers)();
    const refuse = (status: number, error: string, description: string) => {
      logger.info(
        { event: 'backchannel_logout', correlationId, error, reason: description },
        'back-channel logout refused',
      );
      answer(res, status, { error, error_description: description });
    };
    if (req.method !== 'POST') {
      answer(res, 405, { error: 'invalid_request', error_description: 'use POST' }, { Allow: 'POST' });
      return;
    }
    const body = await readForm(req, MAX_LOGOUT_BODY);
    if (!body.ok) {
      if (body.why === 'too_large') {
        refuse(400, 'invalid_request', `the body exceeds ${MAX_LOGOUT_BODY} bytes`);
        return;
      }
      if (body.why === 'not_form') {
        refuse(400, 'invalid_request', 'the body must be application/x-www-form-urlencoded');
        return;
      }
      res.destroy();
      return;
    }
    const tokens = body.form.getAll('logout_token');
    if (tokens.length !== 1 || tokens[0] === '') {
      refuse(400, 'invalid_request', 'exactly one logout_token is required');
      return;
    }
    try {
      const metadata = oidc.metadata();
      if (metadata.jwks_uri === undefined) throw new Error('the provider publishes no jwks_uri');
      const target = await verifier.verify(tokens[0], {
        issuer: metadata.issuer,
        jwksUri: metadata.jwks_uri,
        algorithms: metadata.id_token_signing_alg_values_supported,
      });
      if (!sessions.revocable) throw new Error('cookie sessions cannot be ended without REDIS_URL');
      const ttlMs = Math.max(120, target.remaining + 60) * 1000;
      if (!(await sessions.claimOnce(`jti:${metadata.issuer}:${target.jti}`, ttlMs))) {
        refuse(400, 'invalid_request', 'this logout token was already used (jti)');
        return;
      }
      const ended =
        target.sid !== undefined ? await sessions.endBySid(target.sid) : await sessions.endBySub(target.sub as string);
      metrics.logouts.inc();
      logger.info(
        { event: 'backchannel_logout', correlationId, sid: target.sid, sub: target.sub, ended },
        'back-channel logout',
      );
      answer(res, 200);
    } catch (err) {
      if (isAppError(err) && err.code === 'BAD_REQUEST') {
        refuse(400, 'invalid_request', err.message);
        return;
      }
      // §2.8: a logout that failed answers 400 too; the provider may retry.
      logger.error(
        {
          event: 'backchannel_logout',
          correlationId,
          code: isAppError(err) ? err.code : 'INTERNAL',
          err: { message: (err as Error).message },
        },
        'back-channel logout failed',
      );
      answer(res, 400, { error: 'temporarily_unavailable', error_description: 'the logout could not be completed' });
    }
  };
}
