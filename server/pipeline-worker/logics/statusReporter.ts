import { consumerGroupFor, Pipeline } from '../../common/pipelines';
import type { Logger } from '../../common/logger';
import { LagReader, totalLag } from '../interfaces/lagReader';
import type {
  TaskState,
  TaskReport,
  TaskStatusStore,
  WorkerInfo,
  WorkerUsage,
} from '../interfaces/taskStatusStore';
import { RateWindow } from './rateWindow';
import type { Task } from './task';

/** What the supervisor keeps per pipeline, across the task instances it runs for it. */
export interface Entry {
  /** The pipeline as last read. */
  pipeline: Pipeline;
  /** The current task; null while the pipeline is stopped. */
  task: Task | null;
  /** A start / stop / restart in progress. */
  busy: Promise<void> | null;
  restartCount: number;
  /** Restarts in a row that failed again before indexing anything (the watcher's backoff). */
  failedRestarts: number;
  nextRestartAt: number | null;
  lastError: string | null;
  /** Counters of earlier task instances, so totals survive restarts. */
  retired: { indexed: number; failed: number };
}

export interface StatusReporterDeps {
  worker: WorkerInfo;
  statusStore: TaskStatusStore;
  lagReader: LagReader | null;
  entries: ReadonlyMap<string, Entry>;
  usage(): WorkerUsage;
  logger: Logger;
  options: { staleWorkerMs: number; staleSweepEveryReports: number };
  now: () => number;
}

/** The state to show for an entry: `starting` while a start / restart is under way. */
export function entryState(entry: Readonly<Entry>, snap = entry.task?.snapshot()): TaskState {
  if (!snap) return entry.busy ? 'starting' : 'stopped';
  return entry.busy && snap.state !== 'failed' ? 'starting' : snap.state;
}

/**
 * Writes the worker's heartbeat and its tasks' status rows: rates and the lag trend over the last
 * minute, and the lag of each assigned partition (also kept for /metrics: `lagOf`).
 */
export function createStatusReporter(deps: StatusReporterDeps) {
  const { entries, logger } = deps;
  const windows = new Map<string, RateWindow>();
  const lags = new Map<string, ReadonlyMap<number, number> | null>();
  let running: Promise<void> | null = null;
  let reports = 0;

  async function statusOf(entry: Entry): Promise<TaskReport> {
    const snap = entry.task?.snapshot();
    const indexed = entry.retired.indexed + (snap?.recordsIndexed ?? 0);
    const failed = entry.retired.failed + (snap?.recordsFailed ?? 0);
    let partitionLag: ReadonlyMap<number, number> | null = null;
    if (snap?.state === 'running' && deps.lagReader && snap.assignedPartitions.length > 0) {
      partitionLag = await deps.lagReader
        .partitionLag(
          consumerGroupFor(entry.pipeline.id),
          entry.pipeline.topics.input,
          snap.assignedPartitions,
        )
        .catch(() => null);
    } else if (snap?.state === 'running') {
      partitionLag = new Map();
    }
    lags.set(entry.pipeline.id, partitionLag);
    const lag = partitionLag ? totalLag(partitionLag) : null;
    let window = windows.get(entry.pipeline.id);
    if (!window) windows.set(entry.pipeline.id, (window = new RateWindow()));
    const rates = window.add({ at: deps.now(), indexed, failed, lag: partitionLag });
    const state = entryState(entry, snap);
    return {
      pipelineId: entry.pipeline.id,
      state,
      assignedPartitions: snap?.assignedPartitions ?? [],
      restartCount: entry.restartCount,
      consecutiveFailures: snap?.consecutiveFailures ?? 0,
      nextRestartAt:
        state === 'failed' && entry.nextRestartAt !== null ? new Date(entry.nextRestartAt) : null,
      lastError: snap?.lastError ?? entry.lastError,
      lastFlushAt: snap?.lastFlushAt ?? null,
      recordsIndexed: indexed,
      recordsFailed: failed,
      recordsPerSec: rates.indexedPerSec,
      recordsFailedPerSec: rates.failedPerSec,
      lag,
      partitionLag: partitionLag
        ? [...partitionLag].sort(([a], [b]) => a - b).map(([partition, lag]) => ({ partition, lag }))
        : null,
      lagGrowthPerMin: rates.lagGrowthPerMin,
      pipelineVersion: entry.pipeline.version,
    };
  }

  async function reportOnce(): Promise<void> {
    try {
      await deps.statusStore.heartbeat(deps.worker, deps.usage());
      for (const id of windows.keys()) if (!entries.has(id)) windows.delete(id);
      for (const id of lags.keys()) if (!entries.has(id)) lags.delete(id);
      const statuses = await Promise.all([...entries.values()].map(statusOf));
      await deps.statusStore.saveTasks(deps.worker.id, statuses);
      if (reports++ % deps.options.staleSweepEveryReports === 0)
        await deps.statusStore.removeStaleWorkers(deps.options.staleWorkerMs);
    } catch (e) {
      logger.warn({ err: e }, 'status report failed');
    }
  }

  return {
    /** Lag per assigned partition of the pipeline's task at the last report; null when unknown. */
    lagOf(pipelineId: string): ReadonlyMap<number, number> | null {
      return lags.get(pipelineId) ?? null;
    },
    report(): Promise<void> {
      return (running ??= reportOnce().finally(() => {
        running = null;
      }));
    },
    /** Waits for a report in progress. */
    async idle(): Promise<void> {
      await running;
    },
  };
}
