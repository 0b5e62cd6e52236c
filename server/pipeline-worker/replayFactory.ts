import type { Client } from '@opensearch-project/opensearch';
import type { Kafka } from 'kafkajs';
import type { Config } from '../common/config/schema';
import type { Logger } from '../common/logger';
import type { Pipeline } from '../common/pipelines';
import { createPreparation, pipelineSteps } from '../common/prepare/preparation';
import type { Replay } from '../common/replays';
import { FLUSH_RETRY_JITTER, REPLAY_MAX_CHUNK } from './defaults';
import { createKafkaErrorTopicScanner } from './drivenadapters/kafkaErrorTopicScanner';
import { createOpenSearchBulkIndexer } from './drivenadapters/openSearchBulkIndexer';
import type { ReplayStore } from './interfaces/replayStore';
import { ReplayObserver, ReplayRun, startReplayRun } from './logics/replayRunner';
import { createSinkFactory } from './recordSinkFactory';
import { compileFor } from './taskFactory';

export interface ReplayFactoryDeps {
  config: Config;
  kafka: Kafka;
  opensearch: Client;
  store: ReplayStore;
  workerId: string;
  /** How often a claim's heartbeat is renewed (ms). */
  heartbeatMs: number;
  observer?: ReplayObserver;
  logger: Logger;
}

/**
 * Wiring of one replay run: the pipeline's current processing compiled as its task compiles it, the
 * same bulk indexer, the pipeline's error (and output) topic, and a scanner of its error topic.
 */
export function createReplayFactory(deps: ReplayFactoryDeps) {
  const { config, kafka } = deps;
  const sinkFor = createSinkFactory({ config, kafka });
  return (replay: Replay, pipeline: Pipeline): ReplayRun => {
    const logger = deps.logger.child({ component: 'replay', pipelineId: pipeline.id, replayId: replay.id });
    const processing = compileFor(pipeline, config);
    const errorSink = sinkFor(pipeline.topics.error);
    const outputSink =
      pipeline.outputEnabled && !replay.options.dryRun ? sinkFor(pipeline.topics.output) : null;
    const run = startReplayRun({
      replay,
      pipeline,
      workerId: deps.workerId,
      prepare: createPreparation(pipelineSteps({ idField: pipeline.idField, processing })),
      scanner: createKafkaErrorTopicScanner({ kafka, logger }),
      store: deps.store,
      indexer: createOpenSearchBulkIndexer({ client: deps.opensearch }),
      errorSink,
      outputSink,
      retry: {
        initialMs: config.server.retryInitialMs,
        maxMs: config.server.retryMaxMs,
        jitter: FLUSH_RETRY_JITTER,
      },
      failureThreshold: config.server.failureThreshold,
      maxChunk: REPLAY_MAX_CHUNK,
      heartbeatMs: deps.heartbeatMs,
      observer: deps.observer,
      logger,
    });
    void run.done.finally(() =>
      Promise.allSettled([errorSink.close(), outputSink?.close()]).catch(() => undefined),
    );
    return run;
  };
}
