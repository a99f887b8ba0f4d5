import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { createProxyMiddleware } from 'http-proxy-middleware';
import type { Config } from '../config/index.js';
import type { Decision } from '../gate/decision.js';
import { identityHeaderNames } from '../gate/identity-headers.js';
import type { Logger } from '../observability/logger.js';
import { parseCookies } from '../session/cookies.js';

/**
 * Sidecar mode: the service is the reverse proxy in front of the app. Client-sent
 * copies of identity headers and the service's own cookies never reach the app.
 */
export function createSidecarProxy(config: Config, upstream: URL, logger: Logger) {
  // Compared with `_` read as `-`: CGI-style apps (WSGI, Rack, PHP) see `X_Forwarded_User`
  // and `X-Forwarded-User` as the same HTTP_X_FORWARDED_USER.
  const canonical = (name: string) => name.toLowerCase().replace(/_/g, '-');
  const stripped = new Set(identityHeaderNames(config).map(canonical));
  const proxy = createProxyMiddleware<IncomingMessage, ServerResponse>({
    target: upstream.href,
    changeOrigin: false,
    // Never `ws: true`: http-proxy-middleware would then subscribe to the server's
    // 'upgrade' event itself and proxy every WebSocket without asking the gate.
    // Upgrades reach the proxy only through `upgrade` below, after an allow decision.
    ws: false,
    xfwd: true,
    proxyTimeout: 120_000,
    on: { error: (err, _req, res) => upstreamFailed(err, res) },
  });

  function upstreamFailed(err: Error | undefined, res: ServerResponse | Duplex): void {
    logger.error({ err: { message: err?.message ?? 'not proxied' }, code: 'UPSTREAM_UNAVAILABLE' }, 'upstream request failed');
    if ('writeHead' in res && !res.headersSent) {
      res.writeHead(502, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('The application is unavailable.');
    } else {
      res.destroy();
    }
  }

  /** Proxied WebSocket connections, closed by `closeUpgrades` when the service stops. */
  const sockets = new Set<Duplex>();

  /** Rewrites the request's headers for the upstream according to the decision. */
  function prepare(req: IncomingMessage, decision: Decision): void {
    for (const name of Object.keys(req.headers)) if (stripped.has(canonical(name))) delete req.headers[name];
    const cookies = parseCookies(req.headers.cookie);
    const kept = Object.entries(cookies).filter(([name]) => !name.startsWith(config.cookieNamePrefix));
    if (kept.length !== Object.keys(cookies).length) {
      if (kept.length === 0) delete req.headers.cookie;
      else req.headers.cookie = kept.map(([k, v]) => `${k}=${v}`).join('; ');
    }
    if (decision.kind === 'allow') {
      for (const [name, value] of Object.entries(decision.headers)) req.headers[name.toLowerCase()] = value;
    }
  }

  return {
    /** Forwards an allowed or bypassed request to the upstream. */
    forward(req: IncomingMessage, res: ServerResponse, decision: Decision): void {
      prepare(req, decision);
      if (decision.setCookies.length > 0) res.setHeader('Set-Cookie', [...decision.setCookies]);
      // `next` only runs when the proxy did not take the request: answer rather than hang.
      void proxy(req, res, (err?: unknown) => upstreamFailed(err instanceof Error ? err : undefined, res));
    },
    /** Forwards an allowed WebSocket upgrade. */
    upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, decision: Decision): void {
      prepare(req, decision);
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      proxy.upgrade(req, socket as never, head);
    },
    /** Ends every proxied WebSocket (they outlive any request timeout). */
    closeUpgrades(): void {
      for (const socket of sockets) socket.destroy();
      sockets.clear();
    },
  };
}
