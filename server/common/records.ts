/** A topic-partition, the unit Kafka assigns to a consumer and commits for. */
export interface TopicPartition {
  topic: string;
  partition: number;
}

/** One record as the consumer delivers it. `offset` is the Kafka offset (int64, as a string). */
export interface SourceRecord {
  topic: string;
  partition: number;
  offset: string;
  /** Producer or log-append time, ms since the epoch, as a string (kafkajs' representation). */
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  /** The record's headers as kafkajs gives them (read only by processor expressions, as `meta.headers`). */
  headers?: Record<string, Buffer | string | Array<Buffer | string> | undefined>;
}

/** Where a record came from; carried through to the error and output topics. */
export interface RecordOrigin {
  topic: string;
  partition: number;
  offset: number;
  timestamp: string;
  key: Buffer | null;
}

/** A record that parsed and validated: ready to become a bulk `index` action. */
export interface IndexableRecord {
  kind: 'index';
  origin: RecordOrigin;
  /** The document `_id`. */
  id: string;
  /**
   * The document as one line of JSON (no newlines): the value's own UTF-8 bytes (copied out of the
   * fetch buffer) when no step changed it, else the re-serialised text. Bytes stay bytes from Kafka
   * to the bulk body and the output record, off the V8 heap meanwhile.
   */
  source: Buffer | string;
  /** The value as received, when `source` had to be re-serialised (it spanned several lines). */
  originalText?: string;
  /** The target index computed by the pipeline's indexTemplate; absent = the pipeline's `index`. */
  index?: string;
  /** Approximate bytes held in memory for this record. */
  bytes: number;
}

/**
 * One Kafka record that became several documents (a `split`) or none (dropped by a processor): one
 * buffer entry, so its offset completes only when all of its documents are indexed or refused.
 */
export interface MultiRecord {
  kind: 'documents';
  origin: RecordOrigin;
  documents: IndexableRecord[];
  bytes: number;
}

export type FailureStage = 'parse' | 'validate' | 'transform' | 'schema' | 'index';

/** Stage `transform`: which processor failed. */
export interface TransformFailureDetail {
  /** Position in `processors` (0-based). */
  processor: number;
  operation: string;
}

/** Stage `schema`: what the JSON Schema said (at most 10 errors). */
export interface SchemaFailureDetail {
  errors: Array<{ path: string; message: string }>;
}

/** A record that cannot be indexed; goes to the error topic. */
export interface FailedRecord {
  kind: 'failed';
  origin: RecordOrigin;
  stage: FailureStage;
  errorType: string;
  reason: string;
  /** HTTP status of the bulk item (stage `index` only). */
  status?: number;
  /** Stage `transform` / `schema`: the failing processor, or the schema errors. */
  detail?: TransformFailureDetail | SchemaFailureDetail;
  /** Index attempts made before the failure was known (1 for parse / validate); a replay adds its own to the earlier ones. */
  attempts: number;
  /** The replay that took the record through the pipeline again (absent for live records). */
  replayId?: string;
  /** The original value, as received. */
  value: Buffer | null;
  bytes: number;
}

export type ParsedRecord = IndexableRecord | FailedRecord | MultiRecord;

export function tpKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}
