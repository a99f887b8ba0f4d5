import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { Config } from './config/index.js';
import { createProbeApp, createPublicApp, type App } from './http/create-app.js';
import { createLogger, type Logger } from './observability/logger.js';
import { Metrics } from './observability/metrics.js';
import { OidcClient } from './oidc/oidc-client.js';
import { createSessionManager } from './session/create-session-manager.js';
import type { SessionManager } from './session/session-manager.js';
import { createServiceTokenApi, createTokenApiServer } from './token-api/service-token-api.js';
import type { TokenCache } from './token-api/token-cache.js';

/** Largest request header block accepted: room for a session split over six cookies. */
export const MAX_HEADER_BYTES = 48 * 1024;
/** After a 431 or 400, how much more of the refused request is read (and dropped) so the client sees the answer, not a reset. */
export const REFUSED_DRAIN_BYTES = 4 * 1024 * 1024;
/** …and for how long at most. */
export const REFUSED_DRAIN_MS = 2_000;

/** A running service: its listeners, parts, and a graceful stop. */
export interface RunningService {
  /** The public listener: forwardAuth, the app-domain paths, sidecar traffic. */
  readonly server: http.Server;
  /** The probe listener (`PROBE_PORT`): `/healthz`, `/readyz`, `/metrics`. */
  readonly probeServer: http.Server;
  /** The token API listener (`TOKEN_API_ADDRESS`), only when configured. */
  readonly tokenApiServer: http.Server | undefined;
  /** The token API's cache (texas and sidecar routes), only when configured. */
  readonly tokenCache: TokenCache | undefined;
  readonly app: App;
  /** The sessions, over the configured store. */
  readonly sessions: SessionManager;
  readonly oidc: OidcClient;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Stops accepting, finishes in-flight requests (up to SHUTDOWN_TIMEOUT), closes the sessions' store. */
  stop(): Promise<void>;
}

/**
 * Answers a request Node could not parse (431 for a header block over MAX_HEADER_BYTES,
 * else 400), then keeps reading and dropping what the client still sends, up to a
 * bound: closing at once, with unread data, makes the kernel send a reset and the
 * client never reads the answer.
 */
export function refuseUnparsable(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  let drained = 0;
  const timer = setTimeout(() => socket.destroy(), REFUSED_DRAIN_MS).unref();
  socket.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > REFUSED_DRAIN_BYTES) socket.destroy();
  });
  socket.once('close', () => clearTimeout(timer));
  socket.on('error', () => socket.destroy());
  socket.resume();
}

function createListener(app: App): http.Server {
  const server = http.createServer(
    { maxHeaderSize: MAX_HEADER_BYTES, keepAliveTimeout: 65_000, requestTimeout: 60_000 },
    app.handle,
  );
  server.on('upgrade', app.upgrade);
  server.on('clientError', refuseUnparsable);
  return server;
}

function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/** Builds every part from the configuration and opens the listeners (public, probe, and the token API when configured). Used by main, the demo, tests and the benchmark. */
export async function startService(
  config: Config,
  options: { logger?: Logger; metrics?: Metrics } = {},
): Promise<RunningService> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const metrics = options.metrics ?? new Metrics({ defaultMetrics: true });
  for (const warning of config.warnings) logger.warn({ event: 'config' }, warning);
  const sessions = createSessionManager(config, logger, metrics);
  const oidc = new OidcClient(config, logger, metrics);
  void oidc.start();
  const deps = { config, logger, metrics, sessions, oidc };
  const app = createPublicApp(deps);
  const server = createListener(app);
  const probeServer = createListener(createProbeApp(deps));
  const port = await listen(server, config.port, config.host);
  const probePort = await listen(probeServer, config.probePort, config.host).catch((err: unknown) => {
    server.close();
    throw err;
  });
  const tokenApi = config.tokenApi
    ? createServiceTokenApi({ ...config, tokenApi: config.tokenApi }, oidc, logger)
    : undefined;
  const tokenApiServer = tokenApi ? createTokenApiServer(tokenApi.app, MAX_HEADER_BYTES) : undefined;
  tokenApiServer?.on('clientError', refuseUnparsable);
  const tokenApiPort =
    tokenApiServer && config.tokenApi
      ? await listen(tokenApiServer, config.tokenApi.port, config.tokenApi.host).catch((err: unknown) => {
          server.close();
          probeServer.close();
          throw err;
        })
      : undefined;
  logger.info(
    {
      event: 'listening',
      port,
      probePort,
      ...(tokenApiPort !== undefined ? { tokenApiPort } : {}),
      store: sessions.kind,
      mode: config.upstreamUrl ? 'sidecar' : 'forward-auth',
    },
    'listening',
  );

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      oidc.stop();
      const servers = tokenApiServer ? [server, probeServer, tokenApiServer] : [server, probeServer];
      const closed = Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
      for (const s of servers) s.closeIdleConnections();
      const timer = setTimeout(() => {
        for (const s of servers) s.closeAllConnections();
        app.closeUpgrades(); // WebSockets are not HTTP connections: closeAllConnections leaves them open
      }, config.shutdownTimeout * 1000).unref();
      await closed;
      clearTimeout(timer);
      await sessions.close();
    })();
    return stopping;
  };
  return {
    server,
    probeServer,
    tokenApiServer,
    tokenCache: tokenApi?.cache,
    app,
    sessions,
    oidc,
    logger,
    metrics,
    stop,
  };
}
