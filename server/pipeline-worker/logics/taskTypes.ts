import type { Logger } from '../../common/logger';
import type { Pipeline } from '../../common/pipelines';
import type { BulkIndexer } from '../interfaces/bulkIndexer';
import type { TopicPartition } from '../../common/records';
import type { RecordSink } from '../interfaces/recordSink';
import type { RecordSource } from '../interfaces/recordSource';
import type { TaskState } from '../interfaces/taskStatusStore';
import type { FlushResult, FlushRetry } from './flushExecutor';
import type { Prepare } from '../../common/prepare/preparation';
import type { AttemptStage } from './taskHealth';
import type { FlushObserver } from './flushObserver';
import type { BufferBounds, FlushLimits, FlushReason } from './flushPolicy';

/** The types of a task: what it needs, what it reports, what it offers its supervisor. */
export interface TaskOptions {
  /** Consecutive failed attempts (no progress) of one flush before the task gives up and is marked failed. */
  failureThreshold: number;
  /** Bulk requests in flight at once (1 when the pipeline names an idField, to keep writes in order). */
  maxInFlight: number;
  /** Backoff between attempts of one flush. */
  retry: FlushRetry;
  /** How often a failed offset commit is tried again (ms). */
  commitIntervalMs: number;
  bounds?: BufferBounds;
}

/** Things a task reports as it goes (metrics); one observer per task. */
export interface TaskObserver extends FlushObserver {
  /** Records taken from Kafka into the buffer for the first time (re-deliveries after a rebalance not counted). */
  consumed?(records: number): void;
  flushed?(pipelineId: string, result: FlushResult & { reason: FlushReason; durationMs: number }): void;
  attemptFailed?(pipelineId: string, stage: AttemptStage): void;
}

export interface TaskDeps {
  pipeline: Pipeline;
  limits: FlushLimits;
  /** Record preparation: the pipeline's ordered steps, from Kafka record to bulk-ready document. */
  prepare: Prepare;
  source: RecordSource;
  indexer: BulkIndexer;
  errorSink: RecordSink;
  outputSink: RecordSink | null;
  logger: Logger;
  options: TaskOptions;
  onFailed?: (error: Error) => void;
  observer?: TaskObserver;
  now?: () => number;
}

export interface TaskSnapshot {
  state: TaskState;
  assignedPartitions: TopicPartition[];
  consecutiveFailures: number;
  lastError: string | null;
  /** A failed attempt is waiting for its backoff: fetching is paused meanwhile. */
  backingOff: boolean;
  lastFlushAt: Date | null;
  recordsIndexed: number;
  recordsFailed: number;
  successfulFlushes: number;
  bufferedItems: number;
  inFlightItems: number;
  bufferedBytes: number;
  inFlightBytes: number;
  /** Buffered plus in-flight records over the level at which fetching pauses (1 = full), by bytes or count. */
  bufferFill: number;
  paused: boolean;
}

export interface Task {
  readonly pipeline: Pipeline;
  /** Connects and joins the group; on failure the task is `failed` and reports it (never throws). */
  start(): Promise<void>;
  /** Graceful: stop fetching, flush and commit within `drainMs`, leave the group. Idempotent. */
  stop(drainMs?: number): Promise<void>;
  snapshot(): TaskSnapshot;
}
