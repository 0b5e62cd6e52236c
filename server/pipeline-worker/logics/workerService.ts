import { describeError } from '../../common/errors';
import type { Logger } from '../../common/logger';
import type { Pipeline } from '../../common/pipelines';
import type { PipelineSource } from '../interfaces/pipelineSource';
import type { TaskStatusStore, WorkerInfo, WorkerUsage } from '../interfaces/taskStatusStore';
import { crashCause, describeRoot, restartDelayMs, settingsChanged } from './restartPolicy';
import type { Task } from './task';
import { createStatusReporter, Entry, entryState } from './statusReporter';
import type { PipelineTaskView } from './supervisorView';
import type { LagReader } from '../interfaces/lagReader';

export interface WorkerServiceOptions {
  /** How often the pipelines table is read (ms). */
  pollIntervalMs: number;
  /** How often status and heartbeat are written (ms). */
  reportIntervalMs: number;
  /** The watcher's interval: a failed task is restarted this long after failing, with backoff (ms). */
  watchIntervalMs: number;
  /** Time a task gets to flush and commit when it is stopped (ms). */
  drainMs: number;
  /** Workers silent this long are removed with their task rows (ms). */
  staleWorkerMs: number;
  /** Stale workers are swept every this many status reports. */
  staleSweepEveryReports: number;
}

export interface WorkerServiceDeps {
  worker: WorkerInfo;
  pipelines: PipelineSource;
  statusStore: TaskStatusStore;
  lagReader: LagReader | null;
  /** Builds (does not start) a task for a pipeline. */
  createTask(pipeline: Pipeline, onFailed: (error: Error) => void): Task;
  usage(): WorkerUsage;
  logger: Logger;
  options: WorkerServiceOptions;
  now?: () => number;
}

export interface WorkerService {
  start(): Promise<void>;
  /** Stops every task gracefully (in parallel) and deregisters the worker. Idempotent. */
  stop(): Promise<void>;
  /** One reconcile pass (also run by the timer); exposed for tests. */
  reconcile(): Promise<void>;
  /** A read-only view of every pipeline this worker knows, taken now. */
  tasks(): PipelineTaskView[];
}

/**
 * The worker's supervisor: runs one task per running pipeline, reacts to pipelines being created,
 * updated, stopped and deleted, restarts failed tasks (the watcher), and reports status.
 */
export function createWorkerService(deps: WorkerServiceDeps): WorkerService {
  const { pipelines, logger, options } = deps;
  const now = deps.now ?? Date.now;
  const entries = new Map<string, Entry>();
  const reporter = createStatusReporter({ ...deps, entries, now });
  let pollTimer: NodeJS.Timeout | null = null;
  let reportTimer: NodeJS.Timeout | null = null;
  let stopping = false;
  let reconciling: Promise<void> | null = null;

  /**
   * The one place a task's failure is decided and logged: from the root cause, whether and when the
   * watcher restarts it. One `task crashed` entry per failure (tasks and adapters do not log it).
   */
  function onFailed(entry: Entry, task: Task) {
    return (error: Error) => {
      if (entry.task !== task) return;
      const cause = crashCause(error);
      const healthy = task.snapshot().successfulFlushes > 0;
      entry.failedRestarts = healthy ? 0 : entry.failedRestarts + 1;
      entry.nextRestartAt = now() + restartDelayMs(options.watchIntervalMs, entry.failedRestarts, cause);
      entry.lastError = describeError(error);
      const fields = {
        pipelineId: entry.pipeline.id,
        cause,
        ...describeRoot(error),
        restart: true,
        failedRestarts: entry.failedRestarts,
        nextRestartAt: new Date(entry.nextRestartAt).toISOString(),
        err: error,
      };
      if (cause === 'permanent') logger.error(fields, 'task crashed');
      else logger.warn(fields, 'task crashed');
    };
  }

  async function startTask(entry: Entry): Promise<void> {
    const task: Task = deps.createTask(entry.pipeline, (e) => handler(e));
    const handler = onFailed(entry, task);
    entry.task = task;
    entry.nextRestartAt = null;
    await task.start();
  }

  async function stopTask(entry: Entry): Promise<void> {
    const task = entry.task;
    if (!task) return;
    await task.stop(options.drainMs);
    entry.retired.indexed += task.snapshot().recordsIndexed;
    entry.retired.failed += task.snapshot().recordsFailed;
    entry.task = null;
  }

  /** Runs one start/stop/restart of an entry at a time. */
  function run(entry: Entry, what: string, op: () => Promise<void>): void {
    if (entry.busy) return;
    entry.busy = op()
      .catch((e: unknown) =>
        logger.error({ err: e, pipelineId: entry.pipeline.id, what }, 'task operation failed'),
      )
      .finally(() => {
        entry.busy = null;
      });
  }

  function restart(entry: Entry, pipeline: Pipeline, why: string): void {
    logger.info({ pipelineId: pipeline.id, why, version: pipeline.version }, 'restarting task');
    run(entry, 'restart', async () => {
      await stopTask(entry);
      entry.pipeline = pipeline;
      entry.restartCount++;
      if (!stopping) await startTask(entry);
    });
  }

  function onRunning(p: Pipeline): void {
    let entry = entries.get(p.id);
    if (!entry) {
      entry = {
        pipeline: p,
        task: null,
        busy: null,
        restartCount: 0,
        failedRestarts: 0,
        nextRestartAt: null,
        lastError: null,
        retired: { indexed: 0, failed: 0 },
      };
      entries.set(p.id, entry);
      const e = entry;
      logger.info({ pipelineId: p.id, name: p.name }, 'starting task');
      run(e, 'start', () => startTask(e));
      return;
    }
    if (entry.busy) return;
    const e = entry;
    if (!e.task) {
      e.pipeline = p;
      run(e, 'start', () => startTask(e));
    } else if (p.version !== e.pipeline.version) {
      if (e.task.snapshot().state === 'failed') {
        e.failedRestarts = 0;
        restart(e, p, 'version bump of a failed task');
      } else if (settingsChanged(e.pipeline, p)) {
        restart(e, p, 'settings changed');
      } else {
        e.pipeline = p;
      }
    } else if (e.task.snapshot().state === 'failed' && e.nextRestartAt !== null && now() >= e.nextRestartAt) {
      restart(e, p, 'watcher');
    }
  }

  function onGone(entry: Entry, latest: Pipeline | undefined): void {
    if (entry.busy) return;
    if (latest) {
      entry.pipeline = latest;
      if (!entry.task) return;
      logger.info({ pipelineId: latest.id }, 'pipeline stopped; stopping task');
      run(entry, 'stop', () => stopTask(entry));
      return;
    }
    const id = entry.pipeline.id;
    logger.info({ pipelineId: id }, 'pipeline deleted; stopping task');
    run(entry, 'remove', async () => {
      await stopTask(entry);
      entries.delete(id);
      await deps.statusStore.removeTask(deps.worker.id, id);
    });
  }

  async function reconcileOnce(): Promise<void> {
    let list: Pipeline[];
    try {
      list = await pipelines.listActive();
    } catch (e) {
      // Without a fresh view, keep what runs as it is.
      logger.warn({ err: e }, 'cannot read pipelines; keeping tasks as they are');
      return;
    }
    if (stopping) return;
    const byId = new Map(list.map((p) => [p.id, p]));
    for (const p of list) if (p.status === 'running') onRunning(p);
    for (const entry of [...entries.values()]) {
      const latest = byId.get(entry.pipeline.id);
      if (!latest || latest.status !== 'running') onGone(entry, latest);
    }
  }

  function reconcile(): Promise<void> {
    return (reconciling ??= reconcileOnce().finally(() => {
      reconciling = null;
    }));
  }

  let stopped: Promise<void> | null = null;
  return {
    async start() {
      await deps.statusStore.registerWorker(deps.worker);
      await reconcile();
      pollTimer = setInterval(() => {
        reconcile().catch((e: unknown) => logger.error({ err: e }, 'reconcile failed'));
      }, options.pollIntervalMs);
      reportTimer = setInterval(() => void reporter.report(), options.reportIntervalMs);
      void reporter.report();
    },
    reconcile,
    tasks: () =>
      [...entries.values()].map((e) => {
        const snapshot = e.task?.snapshot() ?? null;
        return {
          pipelineId: e.pipeline.id,
          pipelineName: e.pipeline.name,
          state: entryState(e, snapshot ?? undefined),
          restartCount: e.restartCount,
          nextRestartAt: e.nextRestartAt,
          partitionLag: reporter.lagOf(e.pipeline.id),
          task: snapshot,
        };
      }),
    stop() {
      return (stopped ??= (async () => {
        stopping = true;
        if (pollTimer) clearInterval(pollTimer);
        if (reportTimer) clearInterval(reportTimer);
        await reconciling?.catch(() => undefined);
        const all = [...entries.values()];
        await Promise.allSettled(all.map((e) => e.busy));
        await Promise.allSettled(all.map((e) => stopTask(e)));
        await reporter.idle();
        try {
          await deps.statusStore.removeWorker(deps.worker.id);
        } catch (e) {
          logger.warn({ err: e }, 'could not deregister the worker');
        }
      })());
    },
  };
}
