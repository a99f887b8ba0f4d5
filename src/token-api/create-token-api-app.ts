import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type Express, type NextFunction, type Request, type Response, type Router } from 'express';
import type { Logger } from '../observability/logger.js';
import { isAllowedHost, isLoopbackPeer } from './loopback.js';
import { texasRoutes, type TexasRoutesDeps } from './texas-routes.js';
import { TokenApiError } from './token-api-error.js';

/** What the token API listener needs. */
export interface TokenApiAppOptions {
  /** `TOKEN_API_ALLOW_REMOTE`: serve peers that are not on this host (only behind a NetworkPolicy limited to the app's pods). */
  readonly allowRemote: boolean;
  /** The texas-compatible endpoints' dependencies. */
  readonly texas: TexasRoutesDeps;
  /** More routers on the same listener (the Microsoft sidecar endpoints), behind the same guards. */
  readonly routers?: readonly Router[];
  readonly logger?: Logger;
}

/** The token API as a request listener for `http.createServer`; no `listen` here. */
export interface TokenApiApp {
  readonly handle: (req: IncomingMessage, res: ServerResponse) => void;
  readonly express: Express;
}

/** The three headers every answer carries, so no token or claim is ever kept by a cache on the way. */
export const NO_STORE_HEADERS: Readonly<Record<string, string>> = {
  'Cache-Control': 'no-store',
  Pragma: 'no-cache',
  Expires: '0',
};

/**
 * Builds the token API: the loopback-peer rule (anything else gets 403 with
 * no body, unless `allowRemote`), the `Host` rule (a loopback name, against
 * DNS rebinding; 400 otherwise, as ASP.NET host filtering answers the
 * Microsoft sidecar), no-store headers, the texas routes and JSON errors
 * `{error, error_description}`. It never serves the forwardAuth routes.
 */
export function createTokenApiApp(options: TokenApiAppOptions): TokenApiApp {
  const { allowRemote, logger } = options;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('case sensitive routing', true);
  app.set('strict routing', true);

  app.use((req: Request, res: Response, next: NextFunction) => {
    if (!allowRemote && !isLoopbackPeer(req.socket.remoteAddress)) {
      logger?.warn(
        { event: 'token_api_remote_refused', peer: req.socket.remoteAddress },
        'token API refused a caller that is not on this host',
      );
      res.status(403).end();
      return;
    }
    if (!isAllowedHost(req.headers.host, allowRemote)) {
      res.status(400).json({
        error: 'invalid_request',
        error_description: 'the Host header must name this host: localhost, 127.0.0.1 or [::1]',
      });
      return;
    }
    res.set(NO_STORE_HEADERS);
    next();
  });

  app.use(texasRoutes({ ...options.texas, logger: options.texas.logger ?? logger }));
  for (const router of options.routers ?? []) app.use(router);

  app.use((req: Request, res: Response) => {
    res.status(404).json({ error: 'not_found', error_description: `no such endpoint: ${req.method} ${req.path}` });
  });

  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof TokenApiError) {
      res.status(err.status).json(err.toBody());
      return;
    }
    logger?.error({ err: { message: (err as Error)?.message } }, 'token API request failed');
    res.status(500).json({ error: 'server_error', error_description: 'internal error' });
  });

  return { handle: app, express: app };
}
