import { defineSection, v } from '../declare.js';

/** How the process listens, logs and stops. */
export interface ServerConfig {
  /** `PORT`: TCP port to listen on. Default 4180. */
  readonly port: number;
  /** `HOST`: address to bind. Default `0.0.0.0`. */
  readonly host: string;
  /**
   * `PROBE_PORT`: TCP port (on `HOST`) of the probe listener for the kubelet and Prometheus:
   * `/healthz`, `/readyz`, `/metrics`. Default 4181; 0 picks a free port. Must differ from `PORT`.
   */
  readonly probePort: number;
  /** `WORKERS`: worker processes (Node cluster). Default 1. */
  readonly workers: number;
  /** `LOG_LEVEL`: `trace`, `debug`, `info` (default), `warn`, `error` or `fatal`. */
  readonly logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  /** `SHUTDOWN_TIMEOUT`: seconds to finish in-flight requests after SIGTERM. Default 10. */
  readonly shutdownTimeout: number;
}

/** `PORT`, `HOST`, `PROBE_PORT`, `WORKERS`, `LOG_LEVEL` and `SHUTDOWN_TIMEOUT`. */
export const serverSection = defineSection({
  name: 'server',
  variables: {
    port: v.integer('PORT', 4180, 0, 65535, { doc: 'TCP port to listen on.' }),
    host: v.string('HOST', '0.0.0.0', { doc: 'Address to bind.' }),
    probePort: v.integer('PROBE_PORT', 4181, 0, 65535, {
      doc: 'TCP port of the probe listener: /healthz, /readyz and /metrics for the kubelet and Prometheus.',
    }),
    workers: v.integer('WORKERS', 1, 1, 64, { doc: 'Worker processes (Node cluster) sharing the port.' }),
    logLevel: v.oneOf('LOG_LEVEL', ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const, 'info', {
      doc: 'Lowest level written; logs are JSON lines.',
    }),
    shutdownTimeout: v.integer('SHUTDOWN_TIMEOUT', 10, 0, 300, {
      doc: 'Seconds to finish in-flight requests after SIGTERM.',
    }),
  },
  build(values, r): ServerConfig {
    if (values.probePort !== 0 && values.probePort === values.port)
      r.problems.push(`PROBE_PORT must differ from PORT (both ${values.port})`);
    return values;
  },
});
