import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../src/config/index.js';
import type { RunningService } from '../../src/server.js';
import { serviceEnv, startCapturedService } from './harness.js';
import { SERVICE_CLIENT, type TokenApiProvider } from './token-api-provider.js';

/** A free loopback port (listen on 0, then close). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The whole service with its token API listener, on the token API test provider. */
export interface ServiceWithTokenApi {
  readonly service: RunningService;
  readonly logs: string[];
  /** `http://127.0.0.1:<TOKEN_API_ADDRESS port>` */
  readonly tokenApiUrl: string;
  readonly publicUrl: string;
  readonly probeUrl: string;
  close(): Promise<void>;
}

/** Starts the service (real config loader, real listeners) with `TOKEN_API_ADDRESS` on a free loopback port. */
export async function startServiceWithTokenApi(
  op: TokenApiProvider,
  env: Record<string, string> = {},
): Promise<ServiceWithTokenApi> {
  const port = await freePort();
  const config = loadConfig(
    serviceEnv(op.issuer, {
      OIDC_CLIENT_ID: SERVICE_CLIENT.id,
      OIDC_CLIENT_SECRET: SERVICE_CLIENT.secret,
      TOKEN_API_ADDRESS: `127.0.0.1:${port}`,
      TOKEN_EXCHANGE_GRANT: 'obo',
      ...env,
    }),
  );
  const { service, logs } = await startCapturedService(config);
  await service.oidc.start();
  const portOf = (s: { address(): unknown }) => (s.address() as AddressInfo).port;
  return {
    service,
    logs,
    tokenApiUrl: `http://127.0.0.1:${port}`,
    publicUrl: `http://127.0.0.1:${portOf(service.server)}`,
    probeUrl: `http://127.0.0.1:${portOf(service.probeServer)}`,
    close: () => service.stop(),
  };
}
