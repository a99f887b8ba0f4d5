import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { createProxyMiddleware } from 'http-proxy-middleware';
import type { Config } from '../config/index.js';
import type { Decision } from '../gate/decision.js';
import { identityHeaderNames } from '../gate/identity-headers.js';
import { parseCookies } from '../session/cookies.js';

/** Called when the upstream cannot be reached or fails mid-answer; `res` is the socket for upgrades. */
export type UpstreamFailed = (err: Error | undefined, req: IncomingMessage, res: ServerResponse | Duplex) => void;

/**
 * Sidecar mode: the service is the reverse proxy in front of the app. Client-sent
 * copies of identity headers and the service's own cookies never reach the app, and
 * its answers pass unchanged (no security headers of the service's own). The app
 * sees `X-Forwarded-Host: DOMAIN` and `X-Forwarded-Proto: <public scheme>` whatever
 * the client sent; `X-Forwarded-For` gets the client's address appended.
 */
export function createSidecarProxy(config: Config, upstream: URL, failed: UpstreamFailed) {
  // Compared with `_` read as `-`: CGI-style apps (WSGI, Rack, PHP) see `X_Forwarded_User`
  // and `X-Forwarded-User` as the same HTTP_X_FORWARDED_USER.
  const canonical = (name: string) => name.toLowerCase().replace(/_/g, '-');
  const stripped = new Set(
    [...identityHeaderNames(config), 'x-forwarded-host', 'x-forwarded-proto', 'x-forwarded-port', 'forwarded'].map(
      canonical,
    ),
  );
  const publicPort = /:(\d+)$/.exec(config.domain)?.[1] ?? (config.publicScheme === 'https' ? '443' : '80');
  const proxy = createProxyMiddleware({
    target: upstream.href,
    changeOrigin: false,
    // Never `ws: true`: http-proxy-middleware would then subscribe to the server's
    // 'upgrade' event itself and proxy every WebSocket without asking the gate.
    // Upgrades reach the proxy only through `upgrade` below, after an allow decision.
    ws: false,
    // Set in `prepare`: http-proxy's xfwd appends to the client's Host and Proto.
    xfwd: false,
    proxyTimeout: 120_000,
    on: { error: (err, req, res) => failed(err, req, res) },
  });

  /** Proxied WebSocket connections, closed by `closeUpgrades` when the service stops. */
  const sockets = new Set<Duplex>();

  /** Rewrites the request's headers for the upstream according to the decision. */
  function prepare(req: IncomingMessage, decision: Decision): void {
    // The names come from the request's own header keys.
    // eslint-disable-next-line @typescript-eslint/no-dynamic-delete
    for (const name of Object.keys(req.headers)) if (stripped.has(canonical(name))) delete req.headers[name];
    const cookies = parseCookies(req.headers.cookie);
    const kept = Object.entries(cookies).filter(([name]) => !name.startsWith(config.cookieNamePrefix));
    if (kept.length !== Object.keys(cookies).length) {
      if (kept.length === 0) delete req.headers.cookie;
      else req.headers.cookie = kept.map(([k, v]) => `${k}=${v}`).join('; ');
    }
    req.headers['x-forwarded-host'] = config.domain;
    req.headers['x-forwarded-proto'] = config.publicScheme;
    req.headers['x-forwarded-port'] = publicPort;
    const client = req.socket.remoteAddress;
    if (client !== undefined) {
      const given = req.headers['x-forwarded-for'];
      req.headers['x-forwarded-for'] = given ? `${Array.isArray(given) ? given.join(', ') : given}, ${client}` : client;
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
      void proxy(req, res, (err?: unknown) => failed(err instanceof Error ? err : undefined, req, res));
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
