import { loadConfig } from './config/load';
import type { Config } from './config/schema';
import { ConfigError, describeError } from './errors';
import { createLogger, Logger } from './logger';

export interface RunningService {
  /** Idempotent, bounded shutdown. */
  stop(): Promise<void>;
}

/**
 * Runs a process entry point: loads config (exit 78 on a bad one, with the reason), starts the
 * services, and on SIGTERM / SIGINT stops them within `server.shutdownTimeoutSec` and exits 0, or 1
 * when the stop failed or timed out. An unhandled rejection exits 1.
 */
export function runProcess(
  name: string,
  start: (deps: { config: Config; logger: Logger }) => Promise<RunningService>,
): void {
  let config: Config;
  try {
    config = loadConfig();
  } catch (e) {
    const msg = e instanceof ConfigError ? e.message : describeError(e);
    process.stderr.write(`${name}: ${msg}\n`);
    process.exit(78);
  }
  const logger = createLogger({ ...config.log, name });
  let running: RunningService | undefined;
  let stopping = false;

  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const bound = setTimeout(() => {
      logger.error({ timeoutSec: config.server.shutdownTimeoutSec }, 'shutdown timed out, exiting');
      process.exit(1);
    }, config.server.shutdownTimeoutSec * 1000);
    bound.unref();
    Promise.resolve(running?.stop())
      .then(() => {
        logger.info('stopped');
        logger.flush?.();
        process.exit(0);
      })
      .catch((e: unknown) => {
        logger.error({ err: e }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  // A rejection nobody handles is a bug whose consequences are unknown: log it and end the process
  // (non-zero, so the orchestrator restarts it), as Node does by default.
  process.on('unhandledRejection', (reason) => {
    logger.fatal({ err: reason }, 'unhandled promise rejection; exiting');
    logger.flush?.();
    process.exit(1);
  });

  start({ config, logger })
    .then((svc) => {
      running = svc;
      if (stopping) void svc.stop();
    })
    .catch((e: unknown) => {
      logger.fatal({ err: e }, 'start-up failed');
      process.exit(1);
    });
}
