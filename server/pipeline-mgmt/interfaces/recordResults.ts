import type { RecordPosition } from './recordProducer';

/** What became of one input record, as the worker reported it on the output or error topic. */
export type RecordOutcome =
  | { status: 'indexed'; index: string; id: string }
  | { status: 'failed'; stage: string; errorType: string; reason: string };

/** A worker's report about the input record at `position`. */
export interface RecordResult {
  position: RecordPosition;
  outcome: RecordOutcome;
}

/** The pipeline topics a result feed reads. */
export interface ResultTopics {
  pipelineId: string;
  input: string;
  output: string;
  error: string;
}

/** A live feed of results; close it when no caller waits any more. */
export interface ResultSubscription {
  close(): Promise<void>;
}

/**
 * Reads the results workers publish for a pipeline (its output and error topics). `watch` resolves
 * once the feed is positioned: every result published after that is delivered to `onResult`.
 */
export interface RecordResults {
  watch(topics: ResultTopics, onResult: (r: RecordResult) => void): Promise<ResultSubscription>;
}
