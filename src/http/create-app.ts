import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import helmet from 'helmet';
import { AppError } from '../errors/app-error.js';
import { Gate } from '../gate/gate.js';
import { resolvePaths } from '../gate/paths.js';
import { lazyCorrelationId, wantsHtml } from '../gate/request-kind.js';
import { createBackchannelLogoutHandler } from './backchannel-logout.js';
import type { AppDeps } from './deps.js';
import { createEntry } from './entry.js';
import { createForwardAuthHandler } from './forward-auth.js';
import { directRequest, gateRequest } from './gate-request.js';
import { probeHandlers } from './probe-handlers.js';
import { writeError } from './respond.js';
import { dispatch, probeRoutes, publicRoutes } from './routes.js';
import { createSidecarProxy, type UpstreamFailed } from './sidecar.js';

export type { AppDeps } from './deps.js';

/** A listener's request handling, ready for `http.createServer`; no `listen` here. */
export interface App {
  /** The request listener: one lookup in the route table, then its handler. */
  readonly handle: (req: IncomingMessage, res: ServerResponse) => void;
  /** WebSocket upgrades (sidecar mode); refused otherwise. */
  readonly upgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  /** Ends proxied WebSocket connections (sidecar mode), for shutdown. */
  readonly closeUpgrades: () => void;
}

/**
 * The public listener: forwardAuth, the flows on the app's domain, and in sidecar
 * mode the app itself. Never `/metrics`. Tests and `startService` pass the parts.
 */
export function createPublicApp(deps: AppDeps): App {
  const { config, logger, metrics } = deps;
  const gate = new Gate(deps);
  const loginUrl = `${config.publicScheme}://${config.domain}${config.loginPath}`;
  // Security headers for the service's own pages only; proxied answers are the app's business.
  const headers = helmet({
    contentSecurityPolicy: false, // PAGE_HEADERS sets a stricter one
    crossOriginEmbedderPolicy: false,
    strictTransportSecurity: config.publicScheme === 'https' ? { maxAge: 31_536_000, includeSubDomains: false } : false,
  });
  const security = (req: IncomingMessage, res: ServerResponse) => headers(req, res, () => undefined);
  const notFound = (req: IncomingMessage, res: ServerResponse): void => {
    security(req, res);
    writeError(
      res,
      new AppError('NOT_FOUND', 'There is nothing here.', 'no route'),
      wantsHtml(req.headers),
      lazyCorrelationId(req.headers)(),
      logger,
      loginUrl,
    );
  };
  const ids = new WeakMap<IncomingMessage, () => string>();
  const failed: UpstreamFailed = (err, req, res) => {
    const error = new AppError(
      'UPSTREAM_UNAVAILABLE',
      'The application is unavailable. Please try again shortly.',
      err?.message ?? 'not proxied',
    );
    if (!('writeHead' in res)) {
      logger.error(
        { correlationId: ids.get(req)?.(), code: error.code, detail: error.detail },
        'upstream upgrade failed',
      );
      res.destroy();
      return;
    }
    if (!res.headersSent) security(req, res);
    writeError(
      res,
      error,
      wantsHtml(req.headers),
      (ids.get(req) ?? lazyCorrelationId(req.headers))(),
      logger,
      loginUrl,
    );
  };
  const sidecar = config.upstreamUrl ? createSidecarProxy(config, config.upstreamUrl, failed) : undefined;

  const flow = createEntry({
    gate,
    metrics: undefined,
    logger,
    loginUrl,
    read: directRequest,
    own: security,
    pass: (req, res) => notFound(req, res),
  });
  const proxied = sidecar
    ? createEntry({
        gate,
        metrics,
        logger,
        loginUrl,
        read: directRequest,
        own: security,
        pass: (req, res, decision, correlationId) => {
          ids.set(req, correlationId);
          sidecar.forward(req, res, decision);
        },
      })
    : notFound;
  const probes = probeHandlers(deps);
  const table = publicRoutes(resolvePaths(config), sidecar !== undefined, {
    forwardAuth: createForwardAuthHandler(gate, metrics, logger, loginUrl),
    flow,
    backchannelLogout: createBackchannelLogoutHandler(deps),
    ...probes,
  });
  const handle = dispatch(table, security, proxied);

  const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    // Node stops watching a socket once it is handed to 'upgrade': a client reset would
    // otherwise surface as an uncaught ECONNRESET and end the process.
    socket.on('error', () => socket.destroy());
    const refuse = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (!sidecar) {
      refuse(404, 'Not Found');
      return;
    }
    const request = {
      ...gateRequest(req, 'GET', req.url ?? '/'),
      headers: { ...req.headers, 'sec-fetch-mode': 'websocket' },
    };
    gate
      .decide(request)
      .then((decision) => {
        if (decision.kind === 'allow' || decision.kind === 'bypass') sidecar.upgrade(req, socket, head, decision);
        else
          refuse(
            decision.kind === 'forbidden' ? 403 : 401,
            decision.kind === 'forbidden' ? 'Forbidden' : 'Unauthorized',
          );
      })
      .catch((err: unknown) => {
        logger.error(
          {
            correlationId: request.correlationId(),
            code: (err as AppError).code ?? 'INTERNAL',
            detail: (err as AppError).detail,
          },
          'upgrade check failed',
        );
        refuse(503, 'Service Unavailable');
      });
  };

  return { handle, upgrade, closeUpgrades: () => sidecar?.closeUpgrades() };
}

/** The probe listener: `/healthz`, `/readyz` and `/metrics` for the kubelet and Prometheus; 404 for anything else. */
export function createProbeApp(deps: AppDeps): App {
  const probes = probeHandlers(deps);
  const notFound = (_req: IncomingMessage, res: ServerResponse): void => {
    res.writeHead(404, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    res.end(JSON.stringify({ error: 'not_found' }));
  };
  const handle = dispatch(probeRoutes(probes), () => undefined, notFound);
  const upgrade = (_req: IncomingMessage, socket: Duplex): void => {
    socket.on('error', () => socket.destroy());
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  };
  return { handle, upgrade, closeUpgrades: () => undefined };
}
