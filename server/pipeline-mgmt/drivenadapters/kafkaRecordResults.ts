import { randomBytes } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { DependencyError } from '../../common/errors';
import { RECORD_HEADERS } from '../../common/recordHeaders';
import type { Logger } from '../../common/logger';
import type { RecordOutcome, RecordResult, RecordResults, ResultTopics } from '../interfaces/recordResults';

/** How long to wait for the feed's consumer to join its group and be positioned (ms). */
const JOIN_TIMEOUT_MS = 30_000;

function header(m: KafkaMessage, name: string): string | undefined {
  const v = m.headers?.[name];
  if (v === undefined) return undefined;
  const one = Array.isArray(v) ? v[0] : v;
  return one === undefined ? undefined : Buffer.isBuffer(one) ? one.toString('utf8') : String(one);
}

function reasonOf(m: KafkaMessage): string {
  try {
    const envelope = JSON.parse(m.value?.toString('utf8') ?? '{}') as { reason?: unknown };
    return typeof envelope.reason === 'string' ? envelope.reason : '';
  } catch {
    return '';
  }
}

const DOC_START = Buffer.from(',"doc":');

interface OutputHead {
  index?: unknown;
  id?: unknown;
  source?: { topic?: unknown; partition?: unknown; offset?: unknown };
}

/**
 * An output record's head, `{"index","id","source"}`, read without parsing the document after it:
 * the worker writes the head first and splices the document in as `,"doc":...}` (inside a JSON
 * string that sequence cannot occur, its quote would be escaped).
 */
export function outputHeadOf(value: Buffer | null): OutputHead | null {
  if (!value) return null;
  const at = value.indexOf(DOC_START);
  try {
    const head: unknown = JSON.parse(at < 0 ? value.toString('utf8') : `${value.toString('utf8', 0, at)}}`);
    return typeof head === 'object' && head !== null ? (head as OutputHead) : null;
  } catch {
    return null;
  }
}

/** An output record as a result: from its value's head (or, from older workers, its headers). */
function outputResultOf(topics: ResultTopics, m: KafkaMessage): RecordResult | null {
  const head = outputHeadOf(m.value);
  const source = head?.source;
  if (head && source && typeof head.index === 'string' && typeof head.id === 'string') {
    if (source.topic !== topics.input || !Number.isInteger(source.partition)) return null;
    if (typeof source.offset !== 'string' || !/^\d+$/.test(source.offset)) return null;
    return {
      position: { partition: source.partition as number, offset: source.offset },
      outcome: { status: 'indexed', index: head.index, id: head.id },
    };
  }
  return null;
}

/** A worker's output or error record as a result for the input record it names; null if it names none. */
export function resultOf(topics: ResultTopics, topic: string, m: KafkaMessage): RecordResult | null {
  if (topic === topics.output && header(m, RECORD_HEADERS.srcTopic) === undefined)
    return outputResultOf(topics, m);
  if (header(m, RECORD_HEADERS.srcTopic) !== topics.input) return null;
  const partition = Number(header(m, RECORD_HEADERS.srcPartition));
  const offset = header(m, RECORD_HEADERS.srcOffset);
  if (!Number.isInteger(partition) || offset === undefined || !/^\d+$/.test(offset)) return null;
  let outcome: RecordOutcome;
  if (topic === topics.output) {
    const index = header(m, RECORD_HEADERS.index);
    const id = header(m, RECORD_HEADERS.id);
    if (index === undefined || id === undefined) return null;
    outcome = { status: 'indexed', index, id };
  } else {
    outcome = {
      status: 'failed',
      stage: header(m, RECORD_HEADERS.stage) ?? 'unknown',
      errorType: header(m, RECORD_HEADERS.errorType) ?? 'unknown',
      reason: reasonOf(m),
    };
  }
  return { position: { partition, offset }, outcome };
}

/**
 * Results read from a pipeline's output and error topics by a consumer of this process alone (its
 * own group, never committing). It starts at the topics' ends as they were before it joined, so
 * nothing published after `watch` resolves is missed; its group is deleted when it closes.
 */
export function createKafkaRecordResults({ kafka, logger }: { kafka: Kafka; logger: Logger }): RecordResults {
  const replica = randomBytes(4).toString('hex');
  return {
    async watch(topics, onResult) {
      const groupId = `sdp-mgmt-results-${replica}-${topics.pipelineId}`;
      const admin = kafka.admin();
      await admin.connect();
      const consumer = kafka.consumer({
        groupId,
        sessionTimeout: 10_000,
        heartbeatInterval: 1_000,
        maxWaitTimeInMs: 100,
      });
      const cleanup = async () => {
        await consumer.disconnect().catch(() => undefined);
        await admin.deleteGroups([groupId]).catch(() => undefined);
        await admin.disconnect().catch(() => undefined);
      };
      try {
        const ends = new Map<string, Array<{ partition: number; offset: string }>>();
        for (const topic of [topics.output, topics.error])
          ends.set(topic, await admin.fetchTopicOffsets(topic));
        await consumer.connect();
        await consumer.subscribe({ topics: [topics.output, topics.error], fromBeginning: false });
        const joined = new Promise<void>((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new Error(`no group join within ${JOIN_TIMEOUT_MS} ms`)),
            JOIN_TIMEOUT_MS,
          );
          consumer.on(consumer.events.GROUP_JOIN, () => {
            clearTimeout(timer);
            resolve();
          });
        });
        await consumer.run({
          autoCommit: false,
          eachMessage: async ({ topic, message }) => {
            const r = resultOf(topics, topic, message);
            if (r) onResult(r);
          },
        });
        await joined;
        for (const [topic, partitions] of ends)
          for (const { partition, offset } of partitions) consumer.seek({ topic, partition, offset });
      } catch (e) {
        await cleanup();
        throw new DependencyError(`cannot read the results of pipeline ${topics.pipelineId}`, { cause: e });
      }
      logger.debug({ groupId, pipelineId: topics.pipelineId }, 'ingest results feed open');
      return { close: cleanup };
    },
  };
}
