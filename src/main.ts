import cluster from 'node:cluster';
import { ConfigError, loadConfig, logEffectiveConfig } from './config/index.js';
import { createLogger } from './observability/logger.js';
import { startService } from './server.js';

/** Entry point: load the configuration, run WORKERS processes, stop gracefully on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`idp-oidc-middleware: ${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  if (cluster.isPrimary) logEffectiveConfig(logger, config); // once, not again in every worker

  if (config.workers > 1 && cluster.isPrimary) {
    logger.info({ workers: config.workers }, 'starting workers');
    for (let i = 0; i < config.workers; i++) cluster.fork();
    let stopping = false;
    cluster.on('exit', (worker, code) => {
      if (stopping) return;
      logger.error({ pid: worker.process.pid, code }, 'worker exited; starting another');
      cluster.fork();
    });
    const stopAll = () => {
      stopping = true;
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    };
    process.once('SIGTERM', stopAll);
    process.once('SIGINT', stopAll);
    return;
  }

  const service = await startService(config, { logger });
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    service.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err: { message: (err as Error).message } }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`idp-oidc-middleware: failed to start: ${(err as Error).message}\n`);
  process.exit(1);
});
