/** One record for a Kafka topic: key, value (UTF-8 bytes or text) and headers. */
export interface OutgoingMessage {
  key: Buffer | null;
  value: Buffer | string;
  headers: Record<string, string>;
}
/**
 * A Kafka topic the worker writes to (the pipeline's error or output topic). `send` resolves only
 * once every message is acknowledged by all in-sync replicas; it rejects (retriably, as a rule) when
 * any was not, and the caller sends them again.
 */
export interface RecordSink {
  send(messages: OutgoingMessage[], signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}
