import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { BearerValidator, TokenClaims } from '../authz/bearer/bearer-validator.js';
import type { Logger } from '../observability/logger.js';
import { downstreamApi, type DownstreamApis } from './downstream-apis.js';
import { callDownstream, DownstreamError, type DownstreamLimits } from './downstream-call.js';
import type { TokenGrants } from './grants.js';
import { noScopesDetail, sendProblem, UNEXPECTED_DETAIL } from './problem.js';
import {
  DEFAULT_OVERRIDE_GATES,
  effectiveOptions,
  relativePathProblem,
  type EffectiveOptions,
  type OverrideGates,
} from './sidecar-options.js';
import { TokenApiError } from './token-api-error.js';
import { clientCredentialsKey, exchangeKey, type TokenCache } from './token-cache.js';

/** What the Microsoft sidecar-compatible routes need. */
export interface SidecarRoutesDeps {
  /** The inbound token validator (`/Validate` and the authenticated routes). */
  readonly validator: BearerValidator;
  /** The provider calls: on-behalf-of (or RFC 8693) and client credentials. */
  readonly grants: TokenGrants;
  /** The token cache shared with the texas routes. */
  readonly cache: TokenCache;
  /** `DOWNSTREAM_APIS`. */
  readonly apis: DownstreamApis;
  /** Which routes take `optionsOverride.*`. Default Microsoft's. */
  readonly overrides?: OverrideGates;
  /** Downstream timeout and body bound. */
  readonly limits?: DownstreamLimits;
  /** Largest request body forwarded, in bytes. Default 10 MiB. */
  readonly bodyLimit?: number;
  readonly logger?: Logger;
}

/** The sidecar's paths (matched without regard to case, as ASP.NET routes are). */
export const SIDECAR_PATHS = {
  validate: '/Validate',
  authorizationHeader: '/AuthorizationHeader/:apiName',
  authorizationHeaderUnauthenticated: '/AuthorizationHeaderUnauthenticated/:apiName',
  downstreamApi: '/DownstreamApi/:apiName',
  downstreamApiUnauthenticated: '/DownstreamApiUnauthenticated/:apiName',
} as const;

interface Caller {
  readonly token: string;
  readonly claims: TokenClaims;
}

function bearerOf(req: Request): string | undefined {
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(req.headers.authorization ?? '');
  return match?.[1];
}

/** The JwtBearer challenge: 401, `WWW-Authenticate: Bearer` (with the error for a bad token), empty body. */
async function authenticate(deps: SidecarRoutesDeps, req: Request, res: Response): Promise<Caller | undefined> {
  const token = bearerOf(req);
  if (token === undefined) {
    res.status(401).set('WWW-Authenticate', 'Bearer').end();
    return undefined;
  }
  const result = await deps.validator.validate(token);
  if (!result.ok) {
    deps.logger?.info(
      { event: 'sidecar_token_refused', reason: result.reason, detail: result.detail },
      'token refused',
    );
    res
      .status(401)
      .set('WWW-Authenticate', `Bearer error="invalid_token", error_description="The token is ${result.reason}"`)
      .end();
    return undefined;
  }
  return { token, claims: result.claims };
}

/**
 * The Microsoft Entra identity sidecar's HTTP API (`/Validate`,
 * `/AuthorizationHeader*`, `/DownstreamApi*`) on the token API listener.
 * Divergence, documented: the `*Unauthenticated` routes always use the app's identity.
 */
export function sidecarRoutes(deps: SidecarRoutesDeps): Router {
  const router = Router({ caseSensitive: false, strict: false });
  const gates = deps.overrides ?? DEFAULT_OVERRIDE_GATES;
  const rawBody = express.raw({ type: () => true, limit: deps.bodyLimit ?? 10 * 1024 * 1024 });

  const resolve = (req: Request, allowed: boolean): EffectiveOptions => {
    const query = new URLSearchParams(req.originalUrl.split('?')[1] ?? '');
    const apiName = String(req.params.apiName);
    return effectiveOptions(downstreamApi(deps.apis, apiName), query, allowed, (message) =>
      deps.logger?.warn({ event: 'sidecar_override_ignored', api: apiName }, message),
    );
  };

  const token = async (options: EffectiveOptions, caller: Caller | undefined): Promise<string> => {
    const target = options.scopes.join(' ');
    const served =
      caller === undefined || options.requestAppToken
        ? await deps.cache.get(
            clientCredentialsKey(target, undefined, undefined),
            () => deps.grants.clientCredentials({ target }),
            options.forceRefresh,
          )
        : await deps.cache.get(
            exchangeKey(target, caller.token),
            () => deps.grants.exchange({ target, userToken: caller.token }),
            options.forceRefresh,
          );
    return served.accessToken;
  };

  const handle =
    (authenticated: boolean, gate: keyof OverrideGates, call: boolean) =>
    async (req: Request, res: Response, next: NextFunction) => {
      try {
        const caller = authenticated ? await authenticate(deps, req, res) : undefined;
        if (authenticated && caller === undefined) return;
        const options = resolve(req, gates[gate]);
        const apiName = String(req.params.apiName);
        if (options.scopes.length === 0) {
          sendProblem(res, 400, noScopesDetail(apiName));
          return;
        }
        if (call && options.baseUrl === undefined) {
          sendProblem(res, 400, `Not able to resolve the downstream API '${apiName}': it has no BaseUrl.`);
          return;
        }
        const { baseUrl } = options;
        const pathProblem = call ? relativePathProblem(options.relativePath) : undefined;
        if (pathProblem !== undefined) {
          sendProblem(res, 400, pathProblem);
          return;
        }
        const accessToken = await token(options, caller);
        if (!call) {
          res.status(200).json({ authorizationHeader: `Bearer ${accessToken}` });
          return;
        }
        const contentType = req.headers['content-type'];
        const body =
          contentType !== undefined && Buffer.isBuffer(req.body) ? { bytes: req.body, contentType } : undefined;
        const envelope = await callDownstream({ ...options, baseUrl: baseUrl ?? '' }, accessToken, body, deps.limits);
        res.status(200).json(envelope);
      } catch (err) {
        next(err);
      }
    };

  router.get(SIDECAR_PATHS.validate, async (req: Request, res: Response) => {
    const caller = await authenticate(deps, req, res);
    if (caller) res.status(200).json({ protocol: 'Bearer', token: caller.token, claims: caller.claims });
  });
  router.get(SIDECAR_PATHS.authorizationHeader, handle(true, 'getAuthorizationHeader', false));
  router.get(
    SIDECAR_PATHS.authorizationHeaderUnauthenticated,
    handle(false, 'getAuthorizationHeaderUnauthenticated', false),
  );
  router.post(SIDECAR_PATHS.downstreamApi, rawBody, handle(true, 'callDownstreamApi', true));
  router.post(
    SIDECAR_PATHS.downstreamApiUnauthenticated,
    rawBody,
    handle(false, 'callDownstreamApiUnauthenticated', true),
  );

  router.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (!Object.values(SIDECAR_PATHS).some((p) => req.path.toLowerCase().startsWith(p.split('/:')[0].toLowerCase()))) {
      next(err);
      return;
    }
    if (err instanceof TokenApiError && !(err.status >= 500)) {
      sendProblem(res, 401, err.description);
      return;
    }
    if (err instanceof DownstreamError) {
      sendProblem(res, err.status, err.message);
      return;
    }
    if (err instanceof RangeError) {
      sendProblem(res, 400, err.message);
      return;
    }
    const status = (err as { status?: unknown }).status;
    if (status === 413) {
      sendProblem(res, 413, 'the request body is too large');
      return;
    }
    if (status === 400) {
      sendProblem(res, 400, 'the request body could not be read');
      return;
    }
    deps.logger?.error({ err: { message: (err as Error)?.message } }, 'sidecar request failed');
    sendProblem(res, 500, UNEXPECTED_DETAIL);
  });
  return router;
}
