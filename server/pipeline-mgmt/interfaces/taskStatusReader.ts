/** One worker's task of a pipeline, as the worker last reported it. */
export interface TaskStatus {
  workerId: string;
  /** Null when the worker row is gone. */
  host: string | null;
  state: string;
  assignedPartitions: number[];
  restartCount: number;
  consecutiveFailures: number;
  nextRestartAt: string | null;
  lastError: string | null;
  lastFlushAt: string | null;
  recordsIndexed: number;
  recordsFailed: number;
  /** Records indexed per second over the last minute. */
  recordsPerSec: number;
  /** Records sent to the error topic per second over the last minute. */
  recordsFailedPerSec: number;
  lag: number | null;
  /** Lag of each assigned partition; null when the worker could not read it. */
  partitionLag: Array<{ partition: number; lag: number }> | null;
  /** Change of the lag per minute over the last minute; null when unknown. */
  lagGrowthPerMin: number | null;
  /** The pipeline version the task runs. */
  pipelineVersion: number;
  cpuPercent: number | null;
  rssBytes: number | null;
  /** Seconds since the worker's last heartbeat; null when the worker row is gone. */
  heartbeatAgeSec: number | null;
  updatedAt: string;
}

/** Reads what workers report about their tasks. */
export interface TaskStatusReader {
  listForPipeline(pipelineId: string): Promise<TaskStatus[]>;
  /** The tasks of several pipelines in one go (pipelines without tasks are absent). */
  listForPipelines(pipelineIds: string[]): Promise<Map<string, TaskStatus[]>>;
}
