import express from 'express';
import type { Config } from '../common/config/schema';
import { createDatabase } from '../common/db/knex';
import { migrateLatest } from '../common/db/migrate';
import { createErrorMiddleware, notFoundHandler } from '../common/http/errorMiddleware';
import { closeServer, listen } from '../common/http/listen';
import { createKafka } from '../common/kafka';
import type { Logger } from '../common/logger';
import { createOpenSearchClient } from '../common/opensearch';
import { RunningService, runProcess } from '../common/processRunner';
import { kafkaCheck, mariadbCheck, opensearchCheck, runChecks } from '../common/readiness';
import { serviceInfo } from '../common/serviceInfo';

export const WORKER_SERVICE_NAME = 'pipeline-worker';

/** Wiring of pipeline-worker. */
export async function startWorker({
  config,
  logger,
}: {
  config: Config;
  logger: Logger;
}): Promise<RunningService & { port: number }> {
  const db = createDatabase(config.mysql);
  await migrateLatest(db, config.mysql.url);
  const kafka = createKafka(config, logger, 'sdp-worker');
  const admin = kafka.admin();
  await admin.connect();
  const opensearch = createOpenSearchClient(config);
  const checks = [mariadbCheck(db), kafkaCheck(admin), opensearchCheck(opensearch)];

  const app = express();
  app.disable('x-powered-by');
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', ...serviceInfo(WORKER_SERVICE_NAME) });
  });
  app.get('/ready', async (_req, res) => {
    const result = await runChecks(checks);
    res
      .status(result.ready ? 200 : 503)
      .json(result.ready ? result : { code: 'not_ready', message: 'dependencies unreachable', ...result });
  });
  app.use(notFoundHandler);
  app.use(createErrorMiddleware(logger));

  const { server, port } = await listen(app, config.server.workerPort);
  logger.info({ port }, 'pipeline-worker listening');
  let stopped: Promise<void> | undefined;
  return {
    port,
    stop: () =>
      (stopped ??= (async () => {
        await closeServer(server);
        await Promise.allSettled([admin.disconnect(), opensearch.close(), db.destroy()]);
      })()),
  };
}

if (require.main === module) runProcess(WORKER_SERVICE_NAME, startWorker);
