import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config/index.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { OidcClient } from '../oidc/oidc-client.js';
import type { SessionManager } from '../session/session-manager.js';

/** Everything the HTTP layer needs; `startService` and tests build these themselves. */
export interface AppDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly sessions: SessionManager;
  readonly oidc: OidcClient;
}

/** A request handler on bare `node:http`. */
export type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;
