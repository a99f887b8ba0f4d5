import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  FORWARD_AUTH_PATH,
  HEALTHZ_PATH,
  LOGOUT_BACKCHANNEL_PATH,
  LOGOUT_FRONTCHANNEL_PATH,
  LOGOUT_LOCAL_PATH,
  METRICS_PATH,
  OAUTH2_PREFIX,
  READYZ_PATH,
  SESSION_PATH,
  SESSION_REFRESH_PATH,
  type ServicePaths,
} from '../gate/paths.js';
import type { Handler } from './deps.js';

export { FORWARD_AUTH_PATH } from '../gate/paths.js';

/** The answers the service gives itself; each listener's table maps paths to these. */
export interface Handlers {
  /** Traefik's forwardAuth subrequest: the session check for every request to the app, on the bare fast path. */
  readonly forwardAuth: Handler;
  /** Login, callback, logout and the signed-out page: the gate's flows, for the request itself. */
  readonly flow: Handler;
  /** Back-channel logout: the provider's POST with a `logout_token`, read and answered on the public listener. */
  readonly backchannelLogout: Handler;
  /** Liveness: 200 while the process runs. */
  readonly healthz: Handler;
  /** Readiness: provider metadata loaded and the session store reachable, else 503 with the reasons. */
  readonly readyz: Handler;
  /** Prometheus metrics. */
  readonly metrics: Handler;
}

/** One entry of a route table. */
export interface Route {
  /** Methods answered here; `undefined`: every method. Others fall through like an unknown path. */
  readonly methods: readonly string[] | undefined;
  /** Our own answer (security headers apply), rather than the fast path. */
  readonly own: boolean;
  readonly handle: Handler;
}

/** A listener's routes by exact path (case-sensitive, no trailing-slash folding, query ignored). */
export type RouteTable = ReadonlyMap<string, Route>;

const READ = ['GET', 'HEAD'];

/**
 * The public listener. forwardAuth mode: the forwardAuth address, the flows called
 * directly, and `/healthz` + `/readyz` (kept for compatibility; `/metrics` is not here).
 * Sidecar mode: every path is the app's except the flows (under `/oauth2`) and
 * `/oauth2/healthz`; the check-and-proxy entry answers the rest.
 */
export function publicRoutes(paths: ServicePaths, sidecar: boolean, handlers: Handlers): RouteTable {
  const flow = (methods: readonly string[] | undefined): Route => ({ methods, own: true, handle: handlers.flow });
  if (sidecar) {
    return new Map<string, Route>([
      [`${OAUTH2_PREFIX}${HEALTHZ_PATH}`, { methods: READ, own: true, handle: handlers.healthz }],
      ...[
        paths.login,
        paths.callback,
        paths.logout,
        paths.signedOut,
        SESSION_PATH,
        SESSION_REFRESH_PATH,
        LOGOUT_FRONTCHANNEL_PATH,
        LOGOUT_LOCAL_PATH,
      ].map((p) => [p, flow(undefined)] as const),
      [LOGOUT_BACKCHANNEL_PATH, { methods: undefined, own: false, handle: handlers.backchannelLogout }],
    ]);
  }
  return new Map<string, Route>([
    [FORWARD_AUTH_PATH, { methods: undefined, own: false, handle: handlers.forwardAuth }],
    [paths.login, flow(READ)],
    [paths.callback, flow(READ)],
    [paths.logout, flow([...READ, 'POST'])],
    [paths.signedOut, flow(READ)],
    [SESSION_PATH, flow(READ)],
    [SESSION_REFRESH_PATH, flow(['POST'])],
    [LOGOUT_FRONTCHANNEL_PATH, flow(READ)],
    [LOGOUT_LOCAL_PATH, flow([...READ, 'POST'])],
    [LOGOUT_BACKCHANNEL_PATH, { methods: undefined, own: false, handle: handlers.backchannelLogout }],
    [HEALTHZ_PATH, { methods: READ, own: true, handle: handlers.healthz }],
    [READYZ_PATH, { methods: READ, own: true, handle: handlers.readyz }],
  ]);
}

/** The probe listener, for the kubelet and Prometheus only. */
export function probeRoutes(handlers: Pick<Handlers, 'healthz' | 'readyz' | 'metrics'>): RouteTable {
  const read = (handle: Handler): Route => ({ methods: READ, own: true, handle });
  return new Map<string, Route>([
    [HEALTHZ_PATH, read(handlers.healthz)],
    [READYZ_PATH, read(handlers.readyz)],
    [METRICS_PATH, read(handlers.metrics)],
  ]);
}

/**
 * Dispatches on the table: one `Map` lookup on the path before `?`, no allocation
 * when there is no query. `own` answers get `security` first; anything else goes
 * to `fallback` (sidecar: check and proxy; otherwise 404).
 */
export function dispatch(
  table: RouteTable,
  security: (req: IncomingMessage, res: ServerResponse) => void,
  fallback: Handler,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const route = table.get(query === -1 ? url : url.slice(0, query));
    if (route !== undefined && (route.methods === undefined || route.methods.includes(req.method ?? ''))) {
      if (route.own) security(req, res);
      void route.handle(req, res);
      return;
    }
    void fallback(req, res);
  };
}
