import { GenericError, murmur2, Producer, type ProducerOptions } from '@platformatic/kafka';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import type { Config } from '../../common/config/schema';
import { DependencyError } from '../../common/errors';
import { AbortedError } from '../../common/retry';
import type { OutgoingMessage, RecordSink } from '../interfaces/recordSink';
import { PRODUCER_RETRY } from '../defaults';
import { MAX_SEND_BYTES } from './kafkaRecordSink';

type Options = ProducerOptions<Buffer, Buffer | string, string, string>;

/** What the producer needs to reach the brokers: the worker's configuration, as for kafkajs. */
export function platformaticConnection(config: Config, clientId: string): Omit<Options, 'idempotent'> {
  const { username, password, saslMechanism, ssl } = config.mq;
  const tls: TlsOptions | undefined = ssl ? (config.tlsCa.mq ? { ca: [config.tlsCa.mq] } : {}) : undefined;
  return {
    clientId,
    bootstrapBrokers: config.kafkaBrokers,
    ...(tls ? { tls } : {}),
    ...(username
      ? {
          sasl: {
            mechanism: (
              { plain: 'PLAIN', 'scram-sha-256': 'SCRAM-SHA-256', 'scram-sha-512': 'SCRAM-SHA-512' } as const
            )[saslMechanism],
            username,
            password,
          },
        }
      : {}),
    timeout: config.kafka.socketTimeoutMs,
    connectTimeout: 10_000,
  };
}

/** Doubling from PRODUCER_RETRY.initialRetryTime up to its maxRetryTime, as kafkajs' own schedule. */
function retryDelay(_client: unknown, _operation: string, attempt: number): number {
  return Math.min(
    PRODUCER_RETRY.maxRetryTime,
    PRODUCER_RETRY.initialRetryTime * 2 ** Math.max(0, attempt - 1),
  );
}

/**
 * Errors after which the idempotent producer's sequence state is unusable: a new producer (a new
 * producer id) takes over. Any other failure keeps the producer, so resending the same messages reuses
 * their sequence numbers and the broker drops what it already has.
 */
const FATAL_PRODUCER_ERRORS = new Set([
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'UNKNOWN_PRODUCER_ID',
  'INVALID_PRODUCER_EPOCH',
  'INVALID_PRODUCER_ID_MAPPING',
  'PRODUCER_FENCED',
]);

function isFatalForProducer(e: unknown): boolean {
  if (!(e instanceof Error) || !GenericError.isGenericError(e)) return false;
  const err = e as GenericError;
  for (const id of FATAL_PRODUCER_ERRORS) if (err.findBy('apiId', id)) return true;
  return false;
}

type SinkProducer = Producer<Buffer, Buffer | string, string, string>;

/** Closes the producer, failing what it still has in flight (the typings pick the callback overload). */
function forceClose(p: SinkProducer): Promise<void> {
  return p.close(true) as unknown as Promise<void>;
}

/** Bytes of one produce request: a few partitions' batches at once, bounded so a request stays quick. */
export const MAX_REQUEST_BYTES = 8 * 1024 * 1024;

/** The Java client's (and kafkajs') partition of a key: positive murmur2 modulo the partition count. */
export function partitionOfKey(key: Buffer, partitions: number): number {
  return (murmur2(key) & 0x7fffffff) % partitions;
}

function sizeOf(m: OutgoingMessage): number {
  let n = m.value.length + (m.key?.length ?? 0) + 80;
  for (const k in m.headers) n += k.length + (m.headers[k]?.length ?? 0) + 8;
  return n;
}

export interface PartitionedMessage {
  message: OutgoingMessage;
  partition: number;
}

/**
 * Splits messages, in order, into produce requests in which each partition's batch stays under
 * `maxPartitionBytes` (the broker's 1 MiB default batch limit, with room) and the request under
 * `maxRequestBytes`: one request carries every partition's batch, not one partition's worth of bytes
 * spread over all of them. A single larger message goes alone.
 */
export function chunkByPartition(
  messages: readonly PartitionedMessage[],
  maxPartitionBytes = MAX_SEND_BYTES,
  maxRequestBytes = MAX_REQUEST_BYTES,
): PartitionedMessage[][] {
  const chunks: PartitionedMessage[][] = [];
  let current: PartitionedMessage[] = [];
  let bytes = 0;
  let perPartition = new Map<number, number>();
  for (const m of messages) {
    const size = sizeOf(m.message);
    const inPartition = perPartition.get(m.partition) ?? 0;
    if (current.length > 0 && (inPartition + size > maxPartitionBytes || bytes + size > maxRequestBytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
      perPartition = new Map();
    }
    current.push(m);
    bytes += size;
    perPartition.set(m.partition, (perPartition.get(m.partition) ?? 0) + size);
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

function hasAny(headers: Record<string, string>): boolean {
  for (const _name in headers) return true;
  return false;
}

function toBuffer(v: Buffer | string | undefined): Buffer | undefined {
  return v === undefined || Buffer.isBuffer(v) ? v : Buffer.from(v, 'utf8');
}

/**
 * A topic written through an `@platformatic/kafka` producer: idempotent, acks from all in-sync
 * replicas, keys partitioned as the Java client (and kafkajs) do, so a key lands on the same partition
 * as with kafkajs, keyless messages round-robin. Same contract as `createKafkaRecordSink` (the
 * messages of one `send` in order, in produce requests under the broker's batch limit per partition;
 * a failure rejects as a retriable DependencyError), at a fraction of kafkajs' CPU per record
 * (docs/benchmarks.md). The producer connects on first use.
 */
export function createPlatformaticRecordSink({
  connection,
  topic,
}: {
  connection: Omit<Options, 'idempotent'>;
  topic: string;
}): RecordSink {
  let producer: SinkProducer | null = null;
  let closed = false;
  /** The next partition of a message without a key. */
  let roundRobin = 0;
  const current = () =>
    (producer ??= new Producer<Buffer, Buffer | string, string, string>({
      ...connection,
      idempotent: true,
      autocreateTopics: false,
      retries: PRODUCER_RETRY.retries,
      retryDelay,
      serializers: {
        key: (k) => k,
        value: toBuffer,
        headerKey: toBuffer,
        headerValue: toBuffer,
      },
    }));

  /**
   * One send at a time: the client numbers a partition's batches when it builds a request and counts
   * them only once the broker acknowledged it, so two sends at once (two flushes in flight) would give
   * their batches the same sequence numbers and the broker would refuse one as out of order, or drop
   * it as a duplicate of the other.
   */
  let previous: Promise<unknown> = Promise.resolve();
  async function sendAlone(messages: OutgoingMessage[], signal?: AbortSignal): Promise<void> {
    if (closed) throw new DependencyError('sink closed', { retriable: false });
    if (signal?.aborted) throw new AbortedError();
    const p = current();
    try {
      // The partition of each message is chosen here, so each request can be cut per partition.
      const partitions = (await p.metadata({ topics: [topic] })).topics.get(topic)?.partitionsCount ?? 1;
      const partitioned = messages.map((message) => ({
        message,
        partition: message.key ? partitionOfKey(message.key, partitions) : roundRobin++ % partitions,
      }));
      for (const chunk of chunkByPartition(partitioned)) {
        if (signal?.aborted) throw new AbortedError();
        // No headers object for a message without any: the client makes two Maps per headers object.
        await p.send({
          messages: chunk.map(({ message: m, partition }) => ({
            topic,
            partition,
            key: m.key ?? undefined,
            value: m.value,
            headers: hasAny(m.headers) ? m.headers : undefined,
          })),
        });
      }
    } catch (e) {
      if (e instanceof AbortedError) throw e;
      if (isFatalForProducer(e)) {
        producer = null;
        void forceClose(p).catch(() => undefined);
      }
      throw new DependencyError(`produce to ${topic} failed`, { cause: e });
    }
  }

  return {
    send(messages: OutgoingMessage[], signal?: AbortSignal) {
      const sent = previous.then(() => sendAlone(messages, signal));
      previous = sent.catch(() => undefined);
      return sent;
    },
    async close() {
      closed = true;
      const p = producer;
      producer = null;
      if (p) await forceClose(p);
    },
  };
}
