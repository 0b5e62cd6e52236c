import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { Logger } from '../../common/logger';
import type { RecordSource, SourceHandlers } from '../interfaces/recordSource';
import type { SourceRecord } from '../../common/records';
import { CONSUMER_MAX_WAIT_MS, CONSUMER_RETRY } from '../defaults';

export interface KafkaSourceSettings {
  groupId: string;
  topic: string;
  fromBeginning: boolean;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  /** Longest a fetch waits on the broker for new data; also the pause a fully paused consumer takes (ms). */
  maxWaitTimeMs?: number;
}

/**
 * The pipeline's input topic through a kafkajs consumer in the pipeline's group: manual offsets
 * (autoCommit off, eachBatchAutoResolve off). `eachBatch` hands the batch to the task and returns at
 * once, so the runner heartbeats between batches and, while the task has fetching paused, on every
 * empty fetch: a slow or absent OpenSearch never gets the member evicted.
 */
export function createKafkaRecordSource({
  kafka,
  settings,
  logger,
}: {
  kafka: Kafka;
  settings: KafkaSourceSettings;
  logger: Logger;
}): RecordSource {
  const { topic } = settings;
  let consumer: Consumer | null = null;
  let paused = false;
  let stopped: Promise<void> | null = null;

  function applyPause(): void {
    if (!consumer) return;
    try {
      if (paused) consumer.pause([{ topic }]);
      else consumer.resume([{ topic }]);
    } catch (e) {
      // Between a crash and kafkajs' restart there is no group to pause; GROUP_JOIN re-applies it.
      logger.debug({ err: e }, 'pause/resume deferred');
    }
  }

  return {
    async start(handlers: SourceHandlers) {
      const c = kafka.consumer({
        groupId: settings.groupId,
        sessionTimeout: settings.sessionTimeoutMs,
        rebalanceTimeout: settings.rebalanceTimeoutMs,
        heartbeatInterval: Math.max(500, Math.min(3000, Math.floor(settings.sessionTimeoutMs / 5))),
        allowAutoTopicCreation: false,
        maxWaitTimeInMs: settings.maxWaitTimeMs ?? CONSUMER_MAX_WAIT_MS,
        retry: CONSUMER_RETRY,
      });
      consumer = c;
      c.on(c.events.GROUP_JOIN, ({ payload }) => {
        const partitions = (payload.memberAssignment[topic] ?? []).map((partition) => ({ topic, partition }));
        handlers.onAssigned(partitions);
        applyPause();
      });
      c.on(c.events.CRASH, ({ payload }) => handlers.onCrash(payload.error, payload.restart));
      await c.connect();
      await c.subscribe({ topics: [topic], fromBeginning: settings.fromBeginning });
      await c.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: 1,
        eachBatch: async ({ batch, resolveOffset }: EachBatchPayload) => {
          const records: SourceRecord[] = batch.messages.map((m) => ({
            topic: batch.topic,
            partition: batch.partition,
            offset: m.offset,
            timestamp: m.timestamp,
            key: m.key ?? null,
            value: m.value ?? null,
            headers: m.headers,
          }));
          let taken: number;
          try {
            taken = handlers.onBatch({
              topic: batch.topic,
              partition: batch.partition,
              lastOffset: batch.lastOffset(),
              highWatermark: batch.highWatermark,
              records,
            });
          } catch (e) {
            // Never let an error escape into kafkajs (a TypeError would stop the consumer for good).
            logger.error({ err: e }, 'batch handler threw; the batch will be fetched again');
            taken = 0;
          }
          // Resolving the last message lets kafkajs also step over trailing control records.
          if (taken > 0) resolveOffset(batch.messages[taken - 1]!.offset);
        },
      });
      applyPause();
    },
    setPaused(p: boolean) {
      paused = p;
      applyPause();
    },
    async commit(offsets) {
      if (!consumer) throw new Error('consumer not started');
      await consumer.commitOffsets(
        offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: String(o.offset) })),
      );
    },
    stop() {
      return (stopped ??= (async () => {
        await consumer?.disconnect();
      })());
    },
  };
}
