import type { Kafka, Producer, ProducerConfig } from 'kafkajs';

/** A kafkajs producer connected on first use, and again after `reset` (e.g. after a failed send). */
export interface LazyProducer {
  get(): Promise<Producer>;
  /** Drops the current producer (disconnected in the background); the next `get` connects anew. */
  reset(): Promise<void>;
  /** Disconnects the producer, also one still connecting. */
  close(): Promise<void>;
}

export function lazyProducer(kafka: Kafka, config: ProducerConfig): LazyProducer {
  let producer: Producer | null = null;
  let connecting: Promise<Producer> | null = null;
  return {
    get() {
      if (producer) return Promise.resolve(producer);
      return (connecting ??= (async () => {
        const p = kafka.producer(config);
        try {
          await p.connect();
        } catch (e) {
          await p.disconnect().catch(() => undefined);
          throw e;
        }
        producer = p;
        return p;
      })().finally(() => {
        connecting = null;
      }));
    },
    async reset() {
      const p = producer;
      producer = null;
      await p?.disconnect().catch(() => undefined);
    },
    async close() {
      const p = producer ?? (await connecting?.catch(() => null)) ?? null;
      producer = null;
      if (p) await p.disconnect();
    },
  };
}
