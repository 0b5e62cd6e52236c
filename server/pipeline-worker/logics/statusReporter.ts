import { consumerGroupFor, Pipeline } from '../../common/pipelines';
import type { Logger } from '../../common/logger';
import type { LagReader } from '../interfaces/LagReader';
import type { TaskStatus, TaskStatusStore, WorkerInfo, WorkerUsage } from '../interfaces/TaskStatusStore';
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
  options: { staleWorkerMs: number };
  now: () => number;
}

/** Writes the worker's heartbeat and its tasks' status rows; records/s from the change since last time. */
export function createStatusReporter(deps: StatusReporterDeps) {
  const { entries, logger } = deps;
  const previous = new Map<string, { indexed: number; at: number }>();
  let running: Promise<void> | null = null;
  let reports = 0;

  async function statusOf(entry: Entry): Promise<TaskStatus> {
    const snap = entry.task?.snapshot();
    const indexed = entry.retired.indexed + (snap?.recordsIndexed ?? 0);
    const failed = entry.retired.failed + (snap?.recordsFailed ?? 0);
    const at = deps.now();
    const prev = previous.get(entry.pipeline.id);
    const rate = prev && at > prev.at ? Math.max(0, ((indexed - prev.indexed) * 1000) / (at - prev.at)) : 0;
    previous.set(entry.pipeline.id, { indexed, at });
    let lag: number | null = null;
    if (snap?.state === 'running' && deps.lagReader && snap.assignedPartitions.length > 0) {
      lag = await deps.lagReader
        .lag(consumerGroupFor(entry.pipeline.id), entry.pipeline.topics.input, snap.assignedPartitions)
        .catch(() => null);
    } else if (snap?.state === 'running') {
      lag = 0;
    }
    const state = snap
      ? entry.busy && snap.state !== 'failed'
        ? 'starting'
        : snap.state
      : entry.busy
        ? 'starting'
        : 'stopped';
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
      recordsPerSec: Math.round(rate * 10) / 10,
      lag,
      pipelineVersion: entry.pipeline.version,
    };
  }

  async function reportOnce(): Promise<void> {
    try {
      await deps.statusStore.heartbeat(deps.worker, deps.usage());
      const statuses = await Promise.all([...entries.values()].map(statusOf));
      await deps.statusStore.saveTasks(deps.worker.id, statuses);
      if (reports++ % 20 === 0) await deps.statusStore.removeStaleWorkers(deps.options.staleWorkerMs);
    } catch (e) {
      logger.warn({ err: e }, 'status report failed');
    }
  }

  return {
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
