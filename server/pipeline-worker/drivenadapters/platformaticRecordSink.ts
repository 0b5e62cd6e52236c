import { compatibilityPartitioner, GenericError, Producer, type ProducerOptions } from '@platformatic/kafka';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import type { Config } from '../../common/config/schema';
import { DependencyError } from '../../common/errors';
import { AbortedError } from '../../common/retry';
import type { OutgoingMessage, RecordSink } from '../interfaces/recordSink';
import { PRODUCER_RETRY } from '../defaults';
import { chunkMessages } from './kafkaRecordSink';

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

function hasAny(headers: Record<string, string>): boolean {
  for (const _name in headers) return true;
  return false;
}

function toBuffer(v: Buffer | string | undefined): Buffer | undefined {
  return v === undefined || Buffer.isBuffer(v) ? v : Buffer.from(v, 'utf8');
}

/**
 * A topic written through an `@platformatic/kafka` producer: idempotent, acks from all in-sync
 * replicas, the Java client's (and kafkajs') murmur2 partitioner, so a key lands on the same
 * partition as with kafkajs. Same contract as `createKafkaRecordSink` (the messages of one `send` in
 * produce calls under the broker's batch limit, in order; a failure rejects as a retriable
 * DependencyError), at about a third of kafkajs' CPU per record (docs/benchmarks.md). The producer
 * connects on first use.
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
  const current = () =>
    (producer ??= new Producer<Buffer, Buffer | string, string, string>({
      ...connection,
      idempotent: true,
      autocreateTopics: false,
      retries: PRODUCER_RETRY.retries,
      retryDelay,
      partitioner: compatibilityPartitioner,
      serializers: {
        key: (k) => k,
        value: toBuffer,
        headerKey: toBuffer,
        headerValue: toBuffer,
      },
    }));

  return {
    async send(messages: OutgoingMessage[], signal?: AbortSignal) {
      if (closed) throw new DependencyError('sink closed', { retriable: false });
      for (const chunk of chunkMessages(messages)) {
        if (signal?.aborted) throw new AbortedError();
        const p = current();
        // No headers object for a message without any: the client makes two Maps per headers object.
        const records = chunk.map((m) => ({
          topic,
          key: m.key ?? undefined,
          value: m.value,
          headers: hasAny(m.headers) ? m.headers : undefined,
        }));
        try {
          await p.send({ messages: records });
        } catch (e) {
          if (isFatalForProducer(e)) {
            producer = null;
            void forceClose(p).catch(() => undefined);
          }
          throw new DependencyError(`produce to ${topic} failed`, { cause: e });
        }
      }
    },
    async close() {
      closed = true;
      const p = producer;
      producer = null;
      if (p) await forceClose(p);
    },
  };
}
