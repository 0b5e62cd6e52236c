import { Kafka, Message, Partitioners } from 'kafkajs';
import { lazyProducer } from '../../common/lazyProducer';
import { DependencyError } from '../../common/errors';
import { AbortedError } from '../../common/retry';
import type { OutgoingMessage, RecordSink } from '../interfaces/recordSink';

import { PRODUCER_RETRY } from '../defaults';

/** Bytes per produce call: each partition's record batch stays under the broker's 1 MiB default. */
export const MAX_SEND_BYTES = 768 * 1024;

function sizeOf(m: OutgoingMessage): number {
  let n = m.value.length + (m.key?.length ?? 0) + 80;
  for (const k in m.headers) n += k.length + (m.headers[k]?.length ?? 0) + 8;
  return n;
}

/** Splits messages into produce calls of at most `maxBytes` each (a single larger message alone). */
export function chunkMessages(messages: OutgoingMessage[], maxBytes = MAX_SEND_BYTES): OutgoingMessage[][] {
  const chunks: OutgoingMessage[][] = [];
  let current: OutgoingMessage[] = [];
  let bytes = 0;
  for (const m of messages) {
    const size = sizeOf(m);
    if (current.length > 0 && bytes + size > maxBytes) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(m);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/**
 * A topic written through an idempotent producer with acks from all in-sync replicas. The producer
 * connects on first use and again after a failure.
 */
export function createKafkaRecordSink({ kafka, topic }: { kafka: Kafka; topic: string }): RecordSink {
  const producer = lazyProducer(kafka, {
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: PRODUCER_RETRY,
  });
  let closed = false;

  return {
    async send(messages, signal) {
      if (closed) throw new DependencyError('sink closed', { retriable: false });
      for (const chunk of chunkMessages(messages)) {
        if (signal?.aborted) throw new AbortedError();
        const p = await producer.get();
        try {
          await p.send({
            topic,
            acks: -1,
            // OutgoingMessage is a kafkajs Message as it is: no per-record copy.
            messages: chunk satisfies Message[],
          });
        } catch (e) {
          throw new DependencyError(`produce to ${topic} failed`, { cause: e });
        }
      }
    },
    async close() {
      closed = true;
      await producer.close();
    },
  };
}
