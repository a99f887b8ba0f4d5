import http from 'node:http';
import type { Config } from './config/index.js';
import { createApp, type App } from './http/create-app.js';
import { createLogger, type Logger } from './observability/logger.js';
import { Metrics } from './observability/metrics.js';
import { OidcClient } from './oidc/oidc-client.js';
import { createSessionManager } from './session/create-session-manager.js';
import type { SessionManager } from './session/session-manager.js';

/** Largest request header block accepted: room for a session split over six cookies. */
export const MAX_HEADER_BYTES = 48 * 1024;

/** A running service: its server, parts, and a graceful stop. */
export interface RunningService {
  readonly server: http.Server;
  readonly app: App;
  /** The sessions, over the configured store. */
  readonly sessions: SessionManager;
  readonly oidc: OidcClient;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Stops accepting, finishes in-flight requests (up to SHUTDOWN_TIMEOUT), closes the sessions' store. */
  stop(): Promise<void>;
}

/** Builds every part from the configuration and listens. Used by main, the demo, tests and the benchmark. */
export async function startService(config: Config, options: { logger?: Logger; metrics?: Metrics } = {}): Promise<RunningService> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const metrics = options.metrics ?? new Metrics({ defaultMetrics: true });
  for (const warning of config.warnings) logger.warn({ event: 'config' }, warning);
  const sessions = createSessionManager(config, logger, metrics);
  const oidc = new OidcClient(config, logger, metrics);
  void oidc.start();
  const app = createApp({ config, logger, metrics, sessions, oidc });
  const server = http.createServer({ maxHeaderSize: MAX_HEADER_BYTES, keepAliveTimeout: 65_000, requestTimeout: 60_000 }, app.handle);
  server.on('upgrade', app.upgrade);
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address();
  logger.info({ event: 'listening', port: typeof address === 'object' && address ? address.port : config.port, store: sessions.kind, mode: config.upstreamUrl ? 'sidecar' : 'forward-auth' }, 'listening');

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      oidc.stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => {
        server.closeAllConnections();
        app.closeUpgrades(); // WebSockets are not HTTP connections: closeAllConnections leaves them open
      }, config.shutdownTimeout * 1000).unref();
      await closed;
      clearTimeout(timer);
      await sessions.close();
    })();
    return stopping;
  };
  return { server, app, sessions, oidc, logger, metrics, stop };
}
