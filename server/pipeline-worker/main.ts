import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Config } from '../common/config/schema';
import { createDatabase } from '../common/db/knex';
import { migrateLatest } from '../common/db/migrate';
import { closeServer, listen } from '../common/http/listen';
import { createKafka } from '../common/kafka';
import type { Logger } from '../common/logger';
import { createOpenSearchClient } from '../common/opensearch';
import { RunningService, runProcess } from '../common/processRunner';
import { runSteps } from '../common/runSteps';
import { kafkaCheck, mariadbCheck, opensearchCheck } from '../common/readiness';
import { appVersion } from '../common/serviceInfo';
import { createWorkerApp } from './driveradapters/app';
import { createWorkerMetrics } from './driveradapters/metrics';
import { createKafkaLagReader } from './drivenadapters/kafkaLagReader';
import { createMariaDbPipelineSource } from './drivenadapters/mariaDbPipelineSource';
import { createMariaDbTaskStatusStore } from './drivenadapters/mariaDbTaskStatusStore';
import { createUsageSampler } from './drivenadapters/processUsage';
import type { WorkerInfo } from './interfaces/taskStatusStore';
import { createWorkerService } from './logics/workerService';
import {
  MAX_REPLAY_CLAIMS,
  MAX_REPLAYS_PER_WORKER,
  REPLAY_POLL_INTERVAL_MS,
  PIPELINE_POLL_INTERVAL_MS,
  STALE_WORKER_MS,
  STALE_WORKER_SWEEP_EVERY_REPORTS,
  STATUS_REPORT_INTERVAL_MS,
} from './defaults';
import { createTaskFactory } from './taskFactory';
import { createMariaDbReplayStore } from './drivenadapters/mariaDbReplayStore';
import { createReplaySupervisor } from './logics/replaySupervisor';
import { createReplayFactory } from './replayFactory';

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
  // Read at scrape time; /metrics is served only once the service exists.
  const metrics = createWorkerMetrics({
    tasks: () => service.tasks(),
    replays: () => replays.runs(),
  });
  const worker: WorkerInfo = {
    id: `${os.hostname().slice(0, 40)}-${process.pid}-${randomBytes(3).toString('hex')}`,
    host: os.hostname().slice(0, 255),
    pid: process.pid,
    version: appVersion(),
    startedAt: new Date(),
  };
  const shutdownMs = config.server.shutdownTimeoutSec * 1000;
  const service = createWorkerService({
    worker,
    pipelines: createMariaDbPipelineSource({ db, logger }),
    statusStore: createMariaDbTaskStatusStore({ db }),
    lagReader: createKafkaLagReader({ admin }),
    createTask: createTaskFactory({
      config,
      kafka,
      opensearch,
      logger,
      observerFor: (p) => metrics.observerFor(p),
      processingFor: (p, processing, schemaStats) => metrics.trackProcessing(p, processing, schemaStats),
    }),
    usage: createUsageSampler(),
    logger: logger.child({ component: 'worker-service', workerId: worker.id }),
    options: {
      pollIntervalMs: PIPELINE_POLL_INTERVAL_MS,
      reportIntervalMs: STATUS_REPORT_INTERVAL_MS,
      watchIntervalMs: config.server.watchWorkersIntervalMin * 60_000,
      // Half the shutdown bound for flushing; the rest for commits, leaving the group and cleanup.
      drainMs: Math.floor(shutdownMs / 2),
      staleWorkerMs: STALE_WORKER_MS,
      staleSweepEveryReports: STALE_WORKER_SWEEP_EVERY_REPORTS,
    },
  });
  await service.start();

  // Replays (issue 14): claimed from MariaDB, performed beside the pipeline tasks.
  const pipelineSource = createMariaDbPipelineSource({ db, logger });
  const replayStore = createMariaDbReplayStore({ db });
  const staleMs = config.server.workerHeartbeatTimeoutSec * 1000;
  const replays = createReplaySupervisor({
    workerId: worker.id,
    store: replayStore,
    pipelineOf: async (id) => (await pipelineSource.listActive()).find((p) => p.id === id) ?? null,
    startRun: createReplayFactory({
      config,
      kafka,
      opensearch,
      store: replayStore,
      workerId: worker.id,
      heartbeatMs: Math.max(1_000, Math.floor(staleMs / 5)),
      observer: metrics.replayObserver,
      logger,
    }),
    logger: logger.child({ component: 'replays', workerId: worker.id }),
    options: {
      pollIntervalMs: REPLAY_POLL_INTERVAL_MS,
      staleMs,
      maxConcurrent: MAX_REPLAYS_PER_WORKER,
      maxClaims: MAX_REPLAY_CLAIMS,
    },
  });
  replays.start();

  const app = createWorkerApp({
    serviceName: WORKER_SERVICE_NAME,
    workerId: worker.id,
    checks: [mariadbCheck(db), kafkaCheck(admin), opensearchCheck(opensearch)],
    registry: metrics.registry,
    tasks: () => [
      ...service.tasks().map((v) => ({ pipelineId: v.pipelineId, state: v.task?.state ?? 'stopped' })),
      ...replays.runs().map((r) => ({ pipelineId: r.pipelineId, state: 'replaying', replayId: r.replayId })),
    ],
    logger,
  });
  const { server, port } = await listen(app, config.server.workerPort);
  logger.info({ port, workerId: worker.id }, 'pipeline-worker listening');
  let stopped: Promise<void> | undefined;
  return {
    port,
    stop: () =>
      (stopped ??= runSteps(
        logger,
        [
          ['close http', () => closeServer(server)],
          ['stop replays', () => replays.stop()],
          ['stop tasks', () => service.stop()],
          ['disconnect admin', () => admin.disconnect()],
          ['close opensearch', () => opensearch.close()],
          ['close database', () => db.destroy()],
        ],
        'shutdown step',
      )),
  };
}

if (require.main === module) runProcess(WORKER_SERVICE_NAME, startWorker);
