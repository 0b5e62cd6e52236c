import type { Kafka } from 'kafkajs';
import { lazyProducer } from '../../common/lazyProducer';
import { DependencyError } from '../../common/errors';
import { INGEST_PRODUCER_RETRY, INGEST_SEND_BYTES } from '../defaults';
import type { ProducedRecord, RecordPosition, RecordProducer } from '../interfaces/recordProducer';

/** Record framing and batch overhead the size estimate adds per record (bytes). */
const RECORD_OVERHEAD_BYTES = 40;

/**
 * Splits `records` (in order) into sends of about `maxBytes`, each record with its partition: the
 * partitions are taken in turn from a random start, so one request spreads over all of them and
 * each record's offset follows from its partition's base offset.
 */
export function planSends(
  records: readonly ProducedRecord[],
  partitions: number,
  maxBytes = INGEST_SEND_BYTES,
  start = Math.floor(Math.random() * partitions),
): Array<Array<{ index: number; partition: number }>> {
  const sends: Array<Array<{ index: number; partition: number }>> = [];
  let current: Array<{ index: number; partition: number }> = [];
  let bytes = 0;
  records.forEach((r, index) => {
    const size = r.value.length + RECORD_OVERHEAD_BYTES;
    if (current.length > 0 && bytes + size > maxBytes) {
      sends.push(current);
      current = [];
      bytes = 0;
    }
    current.push({ index, partition: (start + index) % partitions });
    bytes += size;
  });
  if (current.length > 0) sends.push(current);
  return sends;
}

/**
 * pipeline-mgmt's producer for HTTP ingest: idempotent, acks from all in-sync replicas, one send at
 * a time (kafkajs' idempotent producer keeps per-partition sequence numbers that concurrent sends
 * would interleave). Connects on first use and again after a failure.
 */
export function createKafkaRecordProducer({ kafka }: { kafka: Kafka }): RecordProducer {
  const producer = lazyProducer(kafka, {
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    retry: { ...INGEST_PRODUCER_RETRY },
  });
  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;
  const partitionCounts = new Map<string, number>();

  async function partitionsOf(topic: string): Promise<number> {
    const known = partitionCounts.get(topic);
    if (known) return known;
    const admin = kafka.admin();
    await admin.connect();
    try {
      const meta = await admin.fetchTopicMetadata({ topics: [topic] });
      const n = meta.topics[0]?.partitions.length ?? 0;
      if (n === 0) throw new Error(`topic ${topic} has no partitions`);
      partitionCounts.set(topic, n);
      return n;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  async function produceNow(topic: string, records: readonly ProducedRecord[]): Promise<RecordPosition[]> {
    const positions: RecordPosition[] = new Array(records.length);
    const p = await producer.get();
    for (const send of planSends(records, await partitionsOf(topic))) {
      const result = await p.send({
        topic,
        acks: -1,
        messages: send.map(({ index, partition }) => ({ partition, value: records[index]!.value })),
      });
      const base = new Map(result.map((m) => [m.partition, BigInt(m.baseOffset ?? '-1')]));
      const seen = new Map<number, bigint>();
      for (const { index, partition } of send) {
        const k = seen.get(partition) ?? 0n;
        seen.set(partition, k + 1n);
        const b = base.get(partition);
        if (b === undefined || b < 0n) throw new Error(`no offset for partition ${partition} of ${topic}`);
        positions[index] = { partition, offset: String(b + k) };
      }
    }
    return positions;
  }

  async function produceOrReset(topic: string, records: readonly ProducedRecord[]) {
    try {
      return await produceNow(topic, records);
    } catch (e) {
      // The next send reconnects and reads the metadata again (partitions may have been added).
      partitionCounts.delete(topic);
      await producer.reset();
      throw new DependencyError(`could not write to ${topic}`, { cause: e });
    }
  }

  return {
    produce(topic, records) {
      if (closed) return Promise.reject(new DependencyError('the ingest producer is closed'));
      const run = queue.then(() => produceOrReset(topic, records));
      queue = run.catch(() => undefined);
      return run;
    },
    async close() {
      closed = true;
      await queue;
      await producer.close();
    },
  };
}
