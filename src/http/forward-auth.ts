import type { Gate } from '../gate/gate.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { createEntry } from './entry.js';
import { forwardedRequest } from './gate-request.js';
import { writeAllow, writeDecision } from './respond.js';

export { decisionOutcome } from './entry.js';
export { forwardedRequest, gateRequest } from './gate-request.js';

/**
 * The hot path: Traefik's forwardAuth subrequest, handled on bare `node:http`
 * without the Express stack. Login, callback and logout on the app's domain
 * arrive here too, as X-Forwarded-Uri paths. The allow answer has its own lean
 * writer (`writeAllow`): routing it through `writeDecision` cost about 10%.
 */
export function createForwardAuthHandler(gate: Gate, metrics: Metrics, logger: Logger, loginUrl: string) {
  return createEntry({
    gate,
    metrics,
    logger,
    loginUrl,
    read: forwardedRequest,
    pass: (_req, res, decision, correlationId) => {
      if (decision.kind === 'allow') writeAllow(res, decision);
      else writeDecision(res, decision, false, correlationId);
    },
  });
}
