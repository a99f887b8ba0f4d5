import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError } from '../errors/app-error.js';
import type { Gate } from '../gate/gate.js';
import type { Decision, GateRequest } from '../gate/decision.js';
import { header, lazyCorrelationId, wantsHtml } from '../gate/request-kind.js';
import type { Logger } from '../observability/logger.js';
import type { CheckOutcome, Metrics } from '../observability/metrics.js';
import { parseCookies } from '../session/cookies.js';
import { writeAllow, writeDecision, writeError } from './respond.js';

const METHOD = /^[A-Z]{1,16}$/;

const OUTCOME: Readonly<Record<string, CheckOutcome>> = {
  allow: 'allowed',
  bypass: 'bypass',
  unauthenticated: 'unauthenticated',
  forbidden: 'forbidden',
};

/** The metrics label for a decision; `flow` counts callback, logout and signed-out answers. */
export function decisionOutcome(decision: Decision): CheckOutcome {
  if (decision.kind === 'redirect') return decision.reason === 'login' ? 'login_redirect' : 'flow';
  return OUTCOME[decision.kind] ?? 'flow';
}

/** A gate request for the original `method` and `uri`, with the client's headers and cookies. */
export function gateRequest(req: IncomingMessage, method: string, uri: string, correlationId = lazyCorrelationId(req.headers)): GateRequest {
  return { method, uri, headers: req.headers, cookies: parseCookies(header(req.headers, 'cookie')), correlationId };
}

/** Reads Traefik's X-Forwarded-* headers into a gate request; 400 naming the header when one is missing or malformed. */
export function forwardedRequest(req: IncomingMessage, correlationId = lazyCorrelationId(req.headers)): GateRequest {
  const host = header(req.headers, 'x-forwarded-host');
  const uri = header(req.headers, 'x-forwarded-uri');
  const method = (header(req.headers, 'x-forwarded-method') ?? 'GET').toUpperCase();
  if (!host) throw new AppError('MISSING_HEADER', 'The X-Forwarded-Host header is required: call this endpoint through the forwardAuth proxy.', 'missing X-Forwarded-Host');
  if (!uri) throw new AppError('MISSING_HEADER', 'The X-Forwarded-Uri header is required: call this endpoint through the forwardAuth proxy.', 'missing X-Forwarded-Uri');
  if (!uri.startsWith('/')) throw new AppError('BAD_REQUEST', 'The X-Forwarded-Uri header must be a path starting with /.', 'malformed X-Forwarded-Uri');
  if (!METHOD.test(method)) throw new AppError('BAD_REQUEST', 'The X-Forwarded-Method header is not an HTTP method.', 'malformed X-Forwarded-Method');
  return gateRequest(req, method, uri, correlationId);
}

/**
 * The hot path: Traefik's forwardAuth subrequest, handled on bare `node:http`
 * without the Express stack. Login, callback and logout on the app's domain
 * arrive here too, as X-Forwarded-Uri paths.
 */
export function createForwardAuthHandler(gate: Gate, metrics: Metrics, logger: Logger, loginUrl: string) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const started = performance.now();
    let outcome: CheckOutcome = 'error';
    const correlationId = lazyCorrelationId(req.headers);
    try {
      const decision = await gate.decide(forwardedRequest(req, correlationId));
      outcome = decisionOutcome(decision);
      if (decision.kind === 'allow') writeAllow(res, decision);
      else writeDecision(res, decision, decision.kind !== 'bypass' && wantsHtml(req.headers), correlationId);
    } catch (err) {
      writeError(res, err, wantsHtml(req.headers), correlationId(), logger, loginUrl);
    } finally {
      metrics.checked(outcome, (performance.now() - started) / 1000);
    }
  };
}
