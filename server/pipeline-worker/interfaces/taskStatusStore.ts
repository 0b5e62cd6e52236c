import type { TopicPartition } from '../../common/records';

export const TASK_STATES = ['starting', 'running', 'failed', 'stopped'] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** What a worker reports about one of its tasks (one row of `pipeline_tasks`). */
export interface TaskReport {
  pipelineId: string;
  state: TaskState;
  assignedPartitions: TopicPartition[];
  restartCount: number;
  consecutiveFailures: number;
  nextRestartAt: Date | null;
  lastError: string | null;
  lastFlushAt: Date | null;
  recordsIndexed: number;
  recordsFailed: number;
  /** Records indexed per second over the last minute. */
  recordsPerSec: number;
  /** Records sent to the error topic per second over the last minute. */
  recordsFailedPerSec: number;
  lag: number | null;
  /** Lag of each assigned partition; null when it could not be read. */
  partitionLag: Array<{ partition: number; lag: number }> | null;
  /** Change of the lag per minute over the last minute (positive: falling behind); null when unknown. */
  lagGrowthPerMin: number | null;
  pipelineVersion: number;
}

export interface WorkerInfo {
  id: string;
  host: string;
  pid: number;
  version: string;
  startedAt: Date;
}

export interface WorkerUsage {
  cpuPercent: number;
  rssBytes: number;
}

/** The `workers` and `pipeline_tasks` tables, as seen by one worker. */
export interface TaskStatusStore {
  registerWorker(worker: WorkerInfo): Promise<void>;
  /** Writes the worker's heartbeat and usage (re-creating its row if it was removed). */
  heartbeat(worker: WorkerInfo, usage: WorkerUsage): Promise<void>;
  saveTasks(workerId: string, tasks: TaskReport[]): Promise<void>;
  removeTask(workerId: string, pipelineId: string): Promise<void>;
  /** Deletes the worker and its task rows (graceful exit). */
  removeWorker(workerId: string): Promise<void>;
  /** Deletes workers silent for longer than `olderThanMs`, and their task rows. */
  removeStaleWorkers(olderThanMs: number): Promise<number>;
}
