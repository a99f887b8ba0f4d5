import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import type { Config } from '../config/index.js';
import { AppError } from '../errors/app-error.js';
import { Gate } from '../gate/gate.js';
import { lazyCorrelationId, wantsHtml } from '../gate/request-kind.js';
import type { Logger } from '../observability/logger.js';
import type { CheckOutcome, Metrics } from '../observability/metrics.js';
import type { OidcClient } from '../oidc/oidc-client.js';
import type { SessionManager } from '../session/session-manager.js';
import { createForwardAuthHandler, decisionOutcome, gateRequest } from './forward-auth.js';
import { writeDecision, writeError } from './respond.js';
import { buildRoutes, FORWARD_AUTH_PATH } from './routes.js';
import { createSidecarProxy } from './sidecar.js';

/** Everything the HTTP layer needs; tests build these themselves. */
export interface AppDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly sessions: SessionManager;
  readonly oidc: OidcClient;
}

/** The service as a request listener, ready for `http.createServer`; no `listen` here. */
export interface App {
  /** The request listener: the forwardAuth fast path, else Express. */
  readonly handle: (req: IncomingMessage, res: ServerResponse) => void;
  /** WebSocket upgrades (sidecar mode); refused otherwise. */
  readonly upgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  /** Ends proxied WebSocket connections (sidecar mode), for shutdown. */
  readonly closeUpgrades: () => void;
  readonly express: Express;
  readonly gate: Gate;
}

/**
 * Builds the service from its dependencies, without listening: tests and
 * `startService` pass the session manager, OIDC client, logger and metrics they want.
 */
export function createApp(deps: AppDeps): App {
  const { config, logger, metrics } = deps;
  const gate = new Gate(deps);
  const loginUrl = `${config.publicScheme}://${config.domain}${config.loginPath}`;
  const forwardAuth = createForwardAuthHandler(gate, metrics, logger, loginUrl);
  const sidecar = config.upstreamUrl ? createSidecarProxy(config, config.upstreamUrl, logger) : undefined;

  const app = express();
  app.disable('x-powered-by');
  // The gate compares paths exactly; Express must not route `/OAUTH2/LOGIN` or `/oauth2/login/` to it.
  app.set('case sensitive routing', true);
  app.set('strict routing', true);
  app.set('etag', false);
  app.use(helmet({ contentSecurityPolicy: false, crossOriginEmbedderPolicy: false }));
  buildRoutes(app, { ...deps, gate, forwardAuth, sidecar: sidecar !== undefined });

  if (sidecar) {
    app.use(async (req: Request, res: Response, next: NextFunction) => {
      const started = performance.now();
      let outcome: CheckOutcome = 'error';
      try {
        const request = gateRequest(req, req.method, req.originalUrl);
        res.locals.correlationId = request.correlationId;
        const decision = await gate.decide(request);
        outcome = decisionOutcome(decision);
        if (decision.kind === 'allow' || decision.kind === 'bypass') sidecar.forward(req, res, decision);
        else writeDecision(res, decision, wantsHtml(req.headers), request.correlationId);
      } catch (err) {
        next(err);
      } finally {
        metrics.checked(outcome, (performance.now() - started) / 1000);
      }
    });
  }

  app.use((_req: Request, _res: Response, next: NextFunction) => next(new AppError('NOT_FOUND', 'There is nothing here.', 'no route')));
  // The one error middleware: every error, from every route, is written here.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const bodyError = (err as { type?: string; status?: number }).status;
    const known = bodyError !== undefined && bodyError < 500 && !(err instanceof AppError) ? new AppError('BAD_REQUEST', 'The request could not be read.', String(bodyError)) : err;
    const id = (res.locals.correlationId as (() => string) | undefined) ?? lazyCorrelationId(req.headers);
    writeError(res, known, wantsHtml(req.headers), id(), logger, loginUrl);
  });

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = req.url ?? '/';
    if (!sidecar && (url === FORWARD_AUTH_PATH || url.startsWith(`${FORWARD_AUTH_PATH}?`))) {
      void forwardAuth(req, res);
      return;
    }
    app(req as Request, res as Response);
  };

  const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    // Node stops watching a socket once it is handed to 'upgrade': a client reset would
    // otherwise surface as an uncaught ECONNRESET and end the process.
    socket.on('error', () => socket.destroy());
    const refuse = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (!sidecar) return refuse(404, 'Not Found');
    gate
      .decide({ ...gateRequest(req, 'GET', req.url ?? '/'), headers: { ...req.headers, 'sec-fetch-mode': 'websocket' } })
      .then((decision) => {
        if (decision.kind === 'allow' || decision.kind === 'bypass') sidecar.upgrade(req, socket, head, decision);
        else refuse(decision.kind === 'forbidden' ? 403 : 401, decision.kind === 'forbidden' ? 'Forbidden' : 'Unauthorized');
      })
      .catch(() => refuse(503, 'Service Unavailable'));
  };

  return { handle, upgrade, closeUpgrades: () => sidecar?.closeUpgrades(), express: app, gate };
}
