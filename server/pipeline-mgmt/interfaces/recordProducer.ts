/** One record to append to a pipeline's input topic, as its producer sent it. */
export interface ProducedRecord {
  /** The value exactly as received (one JSON text); the worker checks it. */
  value: Buffer;
}

/** Where Kafka put a record: the input topic's partition and offset (int64 as a string). */
export interface RecordPosition {
  partition: number;
  offset: string;
}

/**
 * Appends records to a topic. Resolves only once Kafka has every record (acks from all in-sync
 * replicas, idempotent producer), with each record's position in the order given.
 */
export interface RecordProducer {
  produce(topic: string, records: readonly ProducedRecord[]): Promise<RecordPosition[]>;
  close(): Promise<void>;
}
