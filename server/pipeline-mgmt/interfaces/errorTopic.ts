/** One record of a pipeline's error topic, as stored. */
export interface StoredErrorRecord {
  partition: number;
  offset: string;
  /** Kafka timestamp, ms since the epoch. */
  timestamp: number;
  headers: Record<string, string>;
  /** The value as stored (the worker writes a JSON envelope). */
  value: Buffer | null;
}

/** A slice of one partition to read: offsets `from` (inclusive) to `to` (exclusive). */
export interface PartitionRange {
  partition: number;
  from: string;
  to: string;
}

export interface RangeRead {
  records: StoredErrorRecord[];
  /** Partitions whose range was read to its end (the others were cut short by the timeout). */
  finished: number[];
}

/** Reads stored records of a topic by offset range (never commits, never joins the pipeline's group). */
export interface ErrorTopicReader {
  read(topic: string, ranges: readonly PartitionRange[], timeoutMs: number): Promise<RangeRead>;
}
