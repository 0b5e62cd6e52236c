import type { TaskState } from '../interfaces/taskStatusStore';
import type { TaskSnapshot } from './taskTypes';

/**
 * What the supervisor shows of one pipeline's task to readers outside it (/metrics, /health):
 * values taken at the time of the call, never the supervisor's own mutable bookkeeping.
 */
export interface PipelineTaskView {
  readonly pipelineId: string;
  readonly pipelineName: string;
  /** As reported in `pipeline_tasks`: `starting` while a start or restart is under way. */
  readonly state: TaskState;
  readonly restartCount: number;
  /** When the watcher restarts a failed task (ms since the epoch); null when none is planned. */
  readonly nextRestartAt: number | null;
  /** Lag per assigned partition at the last status report (null: not running, or not readable). */
  readonly partitionLag: ReadonlyMap<number, number> | null;
  /** The current task's snapshot; null while the pipeline is stopped. */
  readonly task: Readonly<TaskSnapshot> | null;
}
