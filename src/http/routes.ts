import type { Express, NextFunction, Request, Response } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Gate } from '../gate/gate.js';
import { SIGNED_OUT_PATH } from '../gate/gate.js';
import { wantsHtml } from '../gate/request-kind.js';
import type { AppDeps } from './create-app.js';
import { gateRequest } from './forward-auth.js';
import { writeDecision } from './respond.js';

/** The forwardAuth address Traefik calls for every request. */
export const FORWARD_AUTH_PATH = '/oauth2/auth';

interface RouteDeps extends AppDeps {
  readonly gate: Gate;
  readonly forwardAuth: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  readonly sidecar: boolean;
}

/**
 * The route table. In sidecar mode every other path belongs to the app, so the
 * service's own endpoints move under /oauth2/.
 */
export function buildRoutes(app: Express, deps: RouteDeps): void {
  const { config, gate, sessions, oidc, metrics } = deps;
  const internal = deps.sidecar ? '/oauth2' : '';

  app.get(`${internal}/healthz`, (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ status: 'ok' });
  });

  app.get(`${internal}/readyz`, async (_req, res) => {
    const problems: string[] = [];
    if (!oidc.ready) problems.push('provider metadata not loaded');
    try {
      await sessions.ping();
    } catch {
      problems.push(`${sessions.kind} session store unreachable`);
    }
    res.set('Cache-Control', 'no-store').status(problems.length === 0 ? 200 : 503).json({ status: problems.length === 0 ? 'ready' : 'not ready', problems });
  });

  app.get(`${internal}/metrics`, async (_req, res) => {
    res.set('Content-Type', metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  if (!deps.sidecar) app.get(FORWARD_AUTH_PATH, (req, res) => deps.forwardAuth(req, res));

  // Login, callback and logout called directly on the service (or in sidecar mode).
  const direct = async (req: Request, res: Response, next: NextFunction) => {
    try {
      const request = gateRequest(req, req.method, req.originalUrl);
      res.locals.correlationId = request.correlationId;
      const decision = await gate.decide(request);
      // Identity headers belong on requests to the app, never in an answer to the client.
      if (decision.kind === 'allow' || decision.kind === 'bypass') return next();
      writeDecision(res, decision, wantsHtml(req.headers), request.correlationId);
    } catch (err) {
      next(err);
    }
  };
  for (const path of [config.callbackPath, config.loginPath, SIGNED_OUT_PATH]) app.get(path, direct);
  app.get(config.logoutPath, direct);
  app.post(config.logoutPath, direct);
}
