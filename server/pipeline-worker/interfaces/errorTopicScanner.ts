/** One stored record of an error topic. */
export interface ScannedRecord {
  partition: number;
  offset: string;
  /** When it was written (ms since the epoch). */
  timestamp: number;
  value: Buffer | null;
}

/** Consecutive records of one partition, and the position after them. */
export interface ScanChunk {
  partition: number;
  records: ScannedRecord[];
  /** The offset to read from next: everything below it is in this chunk or an earlier one. */
  next: string;
}

/** A slice of one partition: offsets `from` (inclusive) to `to` (exclusive). */
export interface ScanRange {
  partition: number;
  from: string;
  to: string;
}

export interface ScanOptions {
  /** Most records in one chunk. */
  maxChunk: number;
  /** Stops the scan (it then resolves, with what was handed over so far). */
  signal: AbortSignal;
}

/**
 * Reads ranges of an error topic in order, partition by partition, with a consumer of its own (never
 * the pipeline's group, never a commit). `onChunk` is awaited before anything further is read, so
 * the caller sets the pace and what is held in memory.
 */
export interface ErrorTopicScanner {
  /**
   * Resolves once every range is read to its end (or the signal aborted); rejects with `onChunk`'s
   * error, or when the topic cannot be read.
   */
  scan(
    topic: string,
    ranges: readonly ScanRange[],
    onChunk: (chunk: ScanChunk) => Promise<void>,
    options: ScanOptions,
  ): Promise<void>;
}
