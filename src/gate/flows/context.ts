import type { Config } from '../../config/index.js';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import type { LoginTransactions } from '../../oidc/login-transaction.js';
import type { OidcClient } from '../../oidc/oidc-client.js';
import type { SessionManager } from '../../session/session-manager.js';
import type { TokenRefresher } from '../checks/refresh.js';
import type { ServicePaths } from '../paths.js';

/** What the gate needs; `createPublicApp` builds it from these. */
export interface GateDeps {
  readonly config: Config;
  readonly sessions: SessionManager;
  readonly oidc: OidcClient;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/** What every flow and check shares, built once by the gate. */
export interface FlowContext {
  readonly deps: GateDeps;
  readonly paths: ServicePaths;
  readonly transactions: LoginTransactions;
  /** Paths a return-to URL may never point at (the flows themselves). */
  readonly reserved: readonly string[];
  /** Refreshes due tokens; undefined when `TOKEN_REFRESH` leaves sessions alone. */
  readonly refresher: TokenRefresher | undefined;
  /** `path` on the app's public origin. */
  url(path: string): string;
}
