import { Router, type Request, type Response } from 'express';
import type { Logger } from '../observability/logger.js';
import type { TokenGrants } from './grants.js';
import { encodingOf, texasBody } from './texas-body.js';
import {
  parseExchangeRequest,
  parseIntrospectRequest,
  parseTokenRequest,
  type IdentityProviderName,
} from './texas-request.js';
import { clientCredentialsKey, exchangeKey, type ServedToken, type TokenCache } from './token-cache.js';
import { invalidRequest } from './token-api-error.js';

/** The texas paths, exactly as NAIS clients call them (`NAIS_TOKEN_*_ENDPOINT`). */
export const TEXAS_PATHS = {
  introspect: '/api/v1/introspect',
  token: '/api/v1/token',
  exchange: '/api/v1/token/exchange',
} as const;

/** What a token validator says about a token. `claims` are the token's payload, verbatim. */
export type IntrospectionResult =
  | { readonly active: true; readonly claims: Readonly<Record<string, unknown>> }
  | { readonly active: false; readonly error: string };

/** Validates a bearer token (signature, issuer, audience, times) without any access policy; never rejects. */
export type IntrospectToken = (token: string) => Promise<IntrospectionResult>;

/** What the texas routes need. */
export interface TexasRoutesDeps {
  /** The bearer validator (`/api/v1/introspect`). */
  readonly introspect: IntrospectToken;
  /** The provider calls (`/api/v1/token`, `/api/v1/token/exchange`). */
  readonly grants: TokenGrants;
  /** Shared by both token routes; keys never collide across grants. */
  readonly cache: TokenCache;
  readonly logger?: Logger;
  /** Body size limit in bytes. Default `TEXAS_BODY_LIMIT`. */
  readonly bodyLimit?: number;
}

function notEnabled(provider: IdentityProviderName): string {
  return `identity provider '${provider}' is not enabled`;
}

function sendToken(res: Response, token: ServedToken): void {
  res.status(200).json({ access_token: token.accessToken, token_type: 'Bearer', expires_in: token.expiresIn });
}

/**
 * The texas-compatible endpoints as an Express router. `entra_id` (alias
 * `azuread`) is the service's own provider, whatever it is; texas's other
 * provider names are known but not enabled. Failures are passed on as
 * `TokenApiError` for the app's error handler.
 */
export function texasRoutes(deps: TexasRoutesDeps): Router {
  const router = Router({ caseSensitive: true, strict: true });
  const body = texasBody(deps.bodyLimit);

  router.post(TEXAS_PATHS.token, body, async (req: Request, res: Response) => {
    const r = parseTokenRequest(req.body, encodingOf(res));
    if (r.identityProvider !== 'entra_id') throw invalidRequest(notEnabled(r.identityProvider));
    const key = clientCredentialsKey(r.target, r.resource, r.authorizationDetails);
    const token = await deps.cache.get(key, () => deps.grants.clientCredentials(r), r.skipCache);
    deps.logger?.debug({ event: 'token_api_token', target: r.target, cached: token.cached }, 'token issued');
    sendToken(res, token);
  });

  router.post(TEXAS_PATHS.exchange, body, async (req: Request, res: Response) => {
    const r = parseExchangeRequest(req.body, encodingOf(res));
    if (r.identityProvider !== 'entra_id') throw invalidRequest(notEnabled(r.identityProvider));
    const key = exchangeKey(r.target, r.userToken);
    const token = await deps.cache.get(key, () => deps.grants.exchange(r), r.skipCache);
    deps.logger?.debug({ event: 'token_api_exchange', target: r.target, cached: token.cached }, 'token exchanged');
    sendToken(res, token);
  });

  router.post(TEXAS_PATHS.introspect, body, async (req: Request, res: Response) => {
    const r = parseIntrospectRequest(req.body, encodingOf(res));
    if (r.identityProvider !== 'entra_id') {
      res.status(200).json({ active: false, error: notEnabled(r.identityProvider) });
      return;
    }
    let result: IntrospectionResult;
    try {
      result = await deps.introspect(r.token);
    } catch (err) {
      deps.logger?.error({ err: { message: (err as Error).message } }, 'token introspection failed');
      result = { active: false, error: 'token can not be validated with this identity provider' };
    }
    const { active: _claimedActive, ...claims } = result.active ? result.claims : {};
    res.status(200).json(result.active ? { active: true, ...claims } : { active: false, error: result.error });
  });

  for (const path of Object.values(TEXAS_PATHS)) {
    router.all(path, (req: Request, res: Response) => {
      res.setHeader('Allow', 'POST');
      res
        .status(405)
        .json({ error: 'invalid_request', error_description: `method ${req.method} is not allowed: use POST` });
    });
  }
  return router;
}
