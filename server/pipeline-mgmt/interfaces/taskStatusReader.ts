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
  recordsPerSec: number;
  lag: number | null;
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
}
