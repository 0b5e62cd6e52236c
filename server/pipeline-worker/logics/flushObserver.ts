import type { FailedRecord } from '../../common/records';
import type { AttemptStage } from './taskHealth';

/**
 * How a bulk request ended: every item acknowledged (`success`), a response with item errors
 * (`item_errors`, retried or refused), no usable response (`error`: connection, 429, 5xx...), or the
 * body refused as a whole (`rejected`: 413 and other 4xx, which split the batch).
 */
export type BulkOutcome = 'success' | 'item_errors' | 'error' | 'rejected';

export interface BulkReport {
  outcome: BulkOutcome;
  durationMs: number;
  items: number;
  /** Approximate body size: documents plus ids. */
  bytes: number;
}

/** What a flush reports as it goes (metrics); every method is optional and must not throw. */
export interface FlushObserver {
  /** One bulk request came back (or failed), as it happens. */
  bulkRequest?(report: BulkReport): void;
  /** An attempt will be repeated after a backoff, sending `records` again. */
  retried?(stage: AttemptStage, records: number): void;
  /**
   * The flush is complete: for each indexed record, the time from its Kafka timestamp to the bulk
   * response that acknowledged it (ms); and the records that went to the error topic.
   */
  completed?(latenciesMs: readonly number[], failed: readonly FailedRecord[]): void;
}
