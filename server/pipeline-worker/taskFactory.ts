import type { Client } from '@opensearch-project/opensearch';
import type { Kafka } from 'kafkajs';
import type { Config } from '../common/config/schema';
import type { Logger } from '../common/logger';
import { consumerGroupFor, Pipeline } from '../common/pipelines';
import { createKafkaRecordSource } from './driveradapters/kafkaRecordSource';
import { createOpenSearchBulkIndexer } from './drivenadapters/openSearchBulkIndexer';
import type { BulkIndexer } from './interfaces/bulkIndexer';
import { COMMIT_INTERVAL_MS, FLUSH_RETRY_JITTER, MAX_BULK_IN_FLIGHT } from './defaults';
import { resolveFlushLimits } from './logics/flushPolicy';
import { hashSecretKey } from '../common/config/load';
import { compileProcessing, CompiledProcessing } from '../common/processors/processing';
import { createPreparation, pipelineSteps } from '../common/prepare/preparation';
import { newSchemaStats, SchemaStats } from '../common/prepare/schema';
import { createTask, Task, TaskObserver } from './logics/task';
import { createSinkFactory } from './recordSinkFactory';

export interface TaskFactoryDeps {
  config: Config;
  kafka: Kafka;
  opensearch: Client;
  logger: Logger;
  /** The metrics observer of a task of `pipeline`. */
  observerFor?: (pipeline: Pipeline) => TaskObserver;
  /** Metrics: the compiled processing of a task of `pipeline` and its schema counts, read at scrape time. */
  processingFor?: (pipeline: Pipeline, processing: CompiledProcessing, schemaStats: SchemaStats) => void;
  /** Wraps the bulk indexer (tests observe requests through it). */
  wrapIndexer?: (indexer: BulkIndexer, pipeline: Pipeline) => BulkIndexer;
}

/**
 * Compiles a pipeline's processors, index template and schema for one task (once per pipeline
 * version: an update restarts the task with a new compile). mgmt checked them already; a row that
 * still does not compile stops the task from starting (its records wait in Kafka).
 */
export function compileFor(pipeline: Pipeline, config: Config): CompiledProcessing {
  const r = compileProcessing(pipeline, { secrets: (name) => config.hashSecrets[hashSecretKey(name)] });
  if ('compiled' in r) return r.compiled;
  throw new Error(
    `pipeline ${pipeline.id}: ${r.code}: ${r.problems.map((p) => `${p.path} ${p.reason}`).join('; ')}`,
  );
}

/** Wiring of one task: the pipeline's consumer, OpenSearch, and its error and output topics. */
export function createTaskFactory(deps: TaskFactoryDeps) {
  const { config, kafka, opensearch } = deps;
  const sinkFor = createSinkFactory({ config, kafka });
  return (pipeline: Pipeline, onFailed: (e: Error) => void): Task => {
    const logger = deps.logger.child({ component: 'task', pipelineId: pipeline.id });
    const indexer = createOpenSearchBulkIndexer({ client: opensearch });
    const processing = compileFor(pipeline, config);
    const schemaStats = newSchemaStats();
    deps.processingFor?.(pipeline, processing, schemaStats);
    return createTask({
      pipeline,
      limits: resolveFlushLimits(pipeline, config.server),
      prepare: createPreparation(pipelineSteps({ idField: pipeline.idField, processing, schemaStats })),
      source: createKafkaRecordSource({
        kafka,
        logger,
        settings: {
          groupId: consumerGroupFor(pipeline.id),
          topic: pipeline.topics.input,
          fromBeginning: config.kafka.autoOffsetReset === 'earliest',
          sessionTimeoutMs: config.kafka.sessionTimeoutMs,
          rebalanceTimeoutMs: config.kafka.maxPollIntervalMs,
        },
      }),
      indexer: deps.wrapIndexer ? deps.wrapIndexer(indexer, pipeline) : indexer,
      errorSink: sinkFor(pipeline.topics.error),
      outputSink: pipeline.outputEnabled ? sinkFor(pipeline.topics.output) : null,
      logger,
      options: {
        failureThreshold: config.server.failureThreshold,
        // With an idField, two documents may share an _id: one request at a time keeps them in order.
        maxInFlight: pipeline.idField ? 1 : MAX_BULK_IN_FLIGHT,
        retry: {
          initialMs: config.server.retryInitialMs,
          maxMs: config.server.retryMaxMs,
          jitter: FLUSH_RETRY_JITTER,
        },
        commitIntervalMs: COMMIT_INTERVAL_MS,
      },
      onFailed,
      observer: deps.observerFor?.(pipeline),
    });
  };
}
