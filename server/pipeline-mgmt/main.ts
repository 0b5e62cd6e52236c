import type { Config } from '../common/config/schema';
import { createDatabase } from '../common/db/knex';
import { migrateLatest } from '../common/db/migrate';
import { closeServer, listen } from '../common/http/listen';
import { createKafka } from '../common/kafka';
import type { Logger } from '../common/logger';
import { runSteps } from '../common/runSteps';
import { createOpenSearchClient } from '../common/opensearch';
import { RunningService, runProcess } from '../common/processRunner';
import type { RequestHandler } from 'express';
import { findAppRoot } from '../common/paths';
import { kafkaCheck, mariadbCheck, opensearchCheck } from '../common/readiness';
import {
  ERRORS_READ_TIMEOUT_MS,
  ERRORS_SCAN_BUDGET,
  INGEST_EARLY_RESULTS,
  INGEST_FEED_LINGER_MS,
  INGEST_RETRY_AFTER_SEC,
  KAFKA_ADMIN_RETRY,
  KAFKA_TOPIC_TIMEOUT_MS,
} from './defaults';
import { loadOrCreateAdminToken } from './drivenadapters/adminTokenFile';
import { createKafkaRecordProducer } from './drivenadapters/kafkaRecordProducer';
import { createKafkaRecordResults } from './drivenadapters/kafkaRecordResults';
import { createKafkaTopicAdmin } from './drivenadapters/kafkaTopicAdmin';
import { createKafkaErrorTopicReader } from './drivenadapters/kafkaErrorTopicReader';
import { createKafkaOffsetAdmin } from './drivenadapters/kafkaOffsetAdmin';
import { createMariaDbAuditReader, createMariaDbAuditWriter } from './drivenadapters/mariaDbAuditLog';
import { createMariaDbPipelineStore } from './drivenadapters/mariaDbPipelineStore';
import { createMariaDbTokenStore } from './drivenadapters/mariaDbTokenStore';
import { createMariaDbTaskStatusReader } from './drivenadapters/mariaDbTaskStatusReader';
import { createOpenSearchMappingCheck } from './drivenadapters/openSearchMappingCheck';
import { createOpenSearchIndexAdmin } from './drivenadapters/openSearchIndexAdmin';
import { createMgmtApp } from './driveradapters/app';
import { createIngestMetrics } from './driveradapters/ingestMetrics';
import { createMgmtMetrics } from './driveradapters/metrics';
import { ROUTES } from './driveradapters/routes';
import { answerClientError } from './driveradapters/clientError';
import type { IndexAdmin } from './interfaces/indexAdmin';
import type { ObservedSettings } from './interfaces/observed';
import type { TopicAdmin } from './interfaces/topicAdmin';
import { createAuditService } from './logics/auditService';
import { createErrorBrowser } from './logics/errorBrowser';
import { createIngestService } from './logics/ingestService';
import { createOffsetService } from './logics/offsetService';
import { createSimulateService } from './logics/simulateService';
import { createReplayService } from './logics/replayService';
import { createMariaDbReplayRecords } from './drivenadapters/mariaDbReplayRecords';
import { createVersionService } from './logics/versionService';
import { createPipelineService } from './logics/pipelineService';
import { createTokenService } from './logics/tokenService';
import { checkAdminToken, generateAdminToken, isGeneratedAdminToken } from './logics/tokenSecrets';

export const MGMT_SERVICE_NAME = 'pipeline-mgmt';

/** Test seams: wrap a driven adapter (e.g. to make one call fail). Production passes nothing. */
export interface MgmtOverrides {
  wrapTopicAdmin?: (real: TopicAdmin) => TopicAdmin;
  wrapIndexAdmin?: (real: IndexAdmin) => IndexAdmin;
  /** Served at /metrics instead of the Prometheus registry. */
  metricsHandler?: RequestHandler;
}

/** SDP_ADMIN_TOKEN when set (checked), else a generated one kept in server.generatedAdminTokenFile. */
function bootstrapAdminToken(config: Config, logger: Logger): string | undefined {
  if (config.adminToken !== undefined) {
    checkAdminToken(config.adminToken);
    return config.adminToken;
  }
  return loadOrCreateAdminToken({
    file: config.server.generatedAdminTokenFile,
    baseDir: findAppRoot(),
    logger,
    generate: () => generateAdminToken(),
    isOurs: isGeneratedAdminToken,
  });
}

/** The observed-status thresholds the config sets (its defaults are those of the schema). */
export function observedSettingsOf(server: Config['server']): ObservedSettings {
  return {
    heartbeatTimeoutSec: server.workerHeartbeatTimeoutSec,
    degradedLagRecords: server.degradedLagRecords,
    degradedErrorRate: server.degradedErrorRate,
  };
}

/** Wiring of pipeline-mgmt: adapters out, logic, HTTP in. */
export async function startMgmt({
  config,
  logger,
  overrides = {},
}: {
  config: Config;
  logger: Logger;
  overrides?: MgmtOverrides;
}): Promise<RunningService & { port: number }> {
  const adminToken = bootstrapAdminToken(config, logger);
  const db = createDatabase(config.mysql);
  await migrateLatest(db, config.mysql.url);
  const kafka = createKafka(config, logger, 'sdp-mgmt');
  const admin = kafka.admin({ retry: { ...KAFKA_ADMIN_RETRY } });
  await admin.connect();
  const opensearch = createOpenSearchClient(config);

  const realTopics = createKafkaTopicAdmin({ admin, logger, timeoutMs: KAFKA_TOPIC_TIMEOUT_MS });
  const realIndices = createOpenSearchIndexAdmin({ client: opensearch, logger });
  const pipelineStore = createMariaDbPipelineStore({ db });
  const pipelines = createPipelineService({
    store: pipelineStore,
    topics: overrides.wrapTopicAdmin?.(realTopics) ?? realTopics,
    indices: overrides.wrapIndexAdmin?.(realIndices) ?? realIndices,
    tasks: createMariaDbTaskStatusReader({ db }),
    logger,
    defaults: {
      partitions: config.kafka.defaultPartitions,
      replicationFactor: config.kafka.defaultReplicationFactor,
    },
    observed: observedSettingsOf(config.server),
  });
  const tokens = createTokenService({ store: createMariaDbTokenStore({ db }), logger, adminToken });
  const audit = createAuditService({ reader: createMariaDbAuditReader({ db }) });
  const metrics = createMgmtMetrics({
    routes: ROUTES,
    pipelineCounts: () => pipelines.pipelineCounts(),
    logger,
  });
  const ingestProducer = createKafkaRecordProducer({ kafka });
  const offsetAdmin = createKafkaOffsetAdmin({ admin });
  // Read at scrape time, once the service exists.
  const ingestObserver = createIngestMetrics(metrics.registry, () => ingest.pendingRecords());
  const ingest = createIngestService({
    pipelines,
    producer: ingestProducer,
    results: createKafkaRecordResults({ kafka, logger: logger.child({ component: 'ingest' }) }),
    observer: ingestObserver,
    logger: logger.child({ component: 'ingest' }),
    settings: {
      maxPendingRecords: config.server.maxPendingIngestRecords,
      maxEarlyResults: INGEST_EARLY_RESULTS,
      feedLingerMs: INGEST_FEED_LINGER_MS,
      retryAfterSec: INGEST_RETRY_AFTER_SEC,
    },
  });
  const app = createMgmtApp({
    serviceName: MGMT_SERVICE_NAME,
    pipelines,
    tokens,
    audit,
    ingest: { service: ingest, maxIngestMiB: config.server.maxIngestMiB },
    offsets: createOffsetService({
      pipelines,
      offsets: offsetAdmin,
      audit: createMariaDbAuditWriter({ db }),
    }),
    versions: createVersionService({ pipelines, store: pipelineStore }),
    simulate: createSimulateService({
      pipelines,
      mappings: createOpenSearchMappingCheck({ client: opensearch }),
    }),
    replays: createReplayService({
      pipelines,
      offsets: offsetAdmin,
      records: createMariaDbReplayRecords({ db }),
      audit: createMariaDbAuditWriter({ db }),
    }),
    errors: createErrorBrowser({
      pipelines,
      offsets: offsetAdmin,
      reader: createKafkaErrorTopicReader({ kafka }),
      settings: { scanBudget: ERRORS_SCAN_BUDGET, readTimeoutMs: ERRORS_READ_TIMEOUT_MS },
    }),
    checks: [mariadbCheck(db), kafkaCheck(admin), opensearchCheck(opensearch)],
    logger,
    maxBodyKiB: config.server.maxBodyKiB,
    rateLimit: { perSec: config.server.rateLimitPerSec, burst: config.server.rateLimitBurst },
    metrics: {
      handler: overrides.metricsHandler ?? metrics.handler,
      requireAuth: config.server.metricsRequireAuth,
    },
    requestMetrics: metrics.middleware,
  });

  const { server, port } = await listen(app, config.server.httpPort);
  server.on('clientError', answerClientError);
  logger.info({ port }, 'pipeline-mgmt listening');
  let stopped: Promise<void> | undefined;
  return {
    port,
    stop: () =>
      // Every step runs; a failed one makes stop() reject, so the process exits non-zero.
      (stopped ??= runSteps(
        logger,
        [
          // Waiting callers are answered first (what is not done yet is `pending`), then HTTP closes.
          ['answer waiting ingest callers', () => ingest.close()],
          ['close http', () => closeServer(server)],
          ['close ingest producer', () => ingestProducer.close()],
          ['disconnect admin', () => admin.disconnect()],
          ['close opensearch', () => opensearch.close()],
          ['close database', () => db.destroy()],
        ],
        'shutdown step',
      )),
  };
}

if (require.main === module) runProcess(MGMT_SERVICE_NAME, startMgmt);
