import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Decision, GateRequest } from '../gate/decision.js';
import type { Gate } from '../gate/gate.js';
import { lazyCorrelationId, wantsHtml } from '../gate/request-kind.js';
import type { Logger } from '../observability/logger.js';
import type { CheckOutcome, Metrics } from '../observability/metrics.js';
import { writeDecision, writeError } from './respond.js';

const OUTCOME: Readonly<Record<string, CheckOutcome>> = {
  allow: 'allowed',
  bypass: 'bypass',
  unauthenticated: 'unauthenticated',
  forbidden: 'forbidden',
};

/**
 * The metrics label for a decision; `flow` counts callback, logout and signed-out answers,
 * `anonymous` the requests let through without a session under `UNAUTHENTICATED_BEHAVIOR=pass`.
 */
export function decisionOutcome(decision: Decision): CheckOutcome {
  if (decision.kind === 'redirect') return decision.reason === 'login' ? 'login_redirect' : 'flow';
  if (decision.kind === 'bypass' && decision.anonymous === true) return 'anonymous';
  if (decision.kind === 'bearer-refused') return decision.status === 403 ? 'forbidden' : 'unauthenticated';
  return OUTCOME[decision.kind] ?? 'flow';
}

/** A decision that lets the request through. */
export type PassDecision = Extract<Decision, { kind: 'allow' | 'bypass' }>;

/** How one way of arriving differs; everything else about an entry is the same. */
export interface EntryOptions {
  readonly gate: Gate;
  /** Counts the outcome in `idp_checks_total`; left out for flows called directly, which are not checks. */
  readonly metrics: Pick<Metrics, 'checked'> | undefined;
  readonly logger: Logger;
  /** The "Try again" link on error pages. */
  readonly loginUrl: string;
  /** Reads the request into a gate request; an `AppError` thrown here is a 4xx. */
  readonly read: (req: IncomingMessage, correlationId: () => string) => GateRequest;
  /** What "let it through" means here: 200 for forwardAuth, proxy in sidecar mode, 404 for direct calls. */
  readonly pass: (
    req: IncomingMessage,
    res: ServerResponse,
    decision: PassDecision,
    correlationId: () => string,
  ) => void;
  /** Runs before the service writes an answer of its own (not on pass): security headers. */
  readonly own?: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
}

/**
 * The one entry handler: read the request, let the gate decide, pass or answer,
 * count the outcome. forwardAuth, direct calls and sidecar mode differ only in
 * `read` and `pass`; every other answer goes through `writeDecision` / `writeError`.
 * A decision the gate makes synchronously (a cached session) is answered at once,
 * without a promise; the handler then returns undefined.
 */
export function createEntry(
  options: EntryOptions,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> | void {
  const { gate, metrics, logger, loginUrl, read, pass, own } = options;
  return (req, res) => {
    const started = performance.now();
    const correlationId = lazyCorrelationId(req.headers);
    let gateRequest: GateRequest | undefined;
    const answer = (decision: Decision): void => {
      if (decision.kind === 'allow' || decision.kind === 'bypass') {
        pass(req, res, decision, correlationId);
      } else {
        own?.(req, res);
        writeDecision(res, decision, wantsHtml(req.headers), correlationId);
      }
      metrics?.checked(decisionOutcome(decision), (performance.now() - started) / 1000);
    };
    const fail = (err: unknown): void => {
      try {
        if (!res.headersSent) own?.(req, res);
        const redirect = gateRequest === undefined ? undefined : gate.errorRedirect(gateRequest);
        writeError(res, err, wantsHtml(req.headers), correlationId(), logger, loginUrl, redirect);
      } finally {
        metrics?.checked('error', (performance.now() - started) / 1000);
      }
    };
    let decided: Decision | Promise<Decision>;
    try {
      gateRequest = read(req, correlationId);
      decided = gate.decideNow(gateRequest);
      if (!(decided instanceof Promise)) {
        answer(decided);
        return;
      }
    } catch (err) {
      fail(err);
      return;
    }
    return decided.then(answer).catch(fail);
  };
}
