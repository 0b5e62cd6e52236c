import { toError } from '../../common/errors';
import { AbortedError } from '../../common/retry';
import { runSteps } from '../../common/runSteps';
import { TopicPartition, tpKey } from '../../common/records';
import type { TaskState } from '../interfaces/taskStatusStore';
import { createCommitter } from './committer';
import { executeFlush } from './flushExecutor';
import { bufferBounds, FlushReason } from './flushPolicy';
import { createFlushScheduler } from './flushScheduler';
import { createIntake } from './intake';
import { OffsetTracker } from './offsetTracker';
import { BufferedRecord, RecordBuffer } from './recordBuffer';
import { createTaskHealth } from './taskHealth';
import type { Task, TaskDeps } from './taskTypes';

export type { Task, TaskDeps, TaskObserver, TaskOptions, TaskSnapshot } from './taskTypes';

/** Where a task is in its life; `draining` shows as `running` until the drain ends. */
type Lifecycle = 'starting' | 'running' | 'draining' | 'failed' | 'stopped';

/**
 * One pipeline's task on this worker: consume -> prepare -> index -> route failures -> commit. This
 * file is the lifecycle and the wiring of the parts, each with one job:
 * - `intake`: batches into the bounded buffer, fetching paused while full, backing off or closed;
 * - `flushScheduler`: when the buffer goes to OpenSearch, the bulk slots, the flights, the drain;
 * - `flushExecutor`: one flush to completion (bulk, error and output topics, retries);
 * - `taskHealth`: failed attempts counted, the threshold at which the task gives up;
 * - `offsetTracker` + `committer`: commits only up to the contiguous prefix of finished records.
 * The consumer keeps heartbeating however slow OpenSearch is. A task never decides what its failure
 * means: it reports it once (`onFailed`) and its supervisor decides.
 */
export function createTask(deps: TaskDeps): Task {
  const { pipeline, limits, source, options, logger } = deps;
  const now = deps.now ?? Date.now;
  const tracker = new OffsetTracker();
  const buffer = new RecordBuffer();
  const abort = new AbortController();
  let assigned = new Map<string, TopicPartition>();
  let phase: Lifecycle = 'starting';
  const totals = {
    recordsIndexed: 0,
    recordsFailed: 0,
    successfulFlushes: 0,
    lastFlushAt: null as Date | null,
  };

  const committer = createCommitter({
    tracker,
    commit: (offsets) => source.commit(offsets),
    isAssigned: (t, p) => assigned.has(tpKey(t, p)),
    logger,
  });
  const commitTimer = setInterval(() => void committer.request(), options.commitIntervalMs);
  commitTimer.unref();

  const health = createTaskHealth({
    failureThreshold: options.failureThreshold,
    onGiveUp: (error) => fail(toError(error)),
    onBackoffChange: (backingOff) => intake.hold('backoff', backingOff),
    onAttemptFailed: (stage) => deps.observer?.attemptFailed?.(pipeline.id, stage),
    logger,
  });

  const consumerHealth = health.track();

  const scheduler = createFlushScheduler({
    buffer,
    limits,
    maxInFlight: options.maxInFlight,
    runFlush,
    onSettled: () => intake.refresh(),
    logger,
    now,
  });

  const intake = createIntake({
    tracker,
    buffer,
    bounds: options.bounds ?? bufferBounds(limits, options.maxInFlight),
    prepare: deps.prepare,
    setFetchPaused: (p) => source.setPaused(p),
    inFlight: scheduler.inFlight,
    onTaken: () => scheduler.pump(),
    onConsumed: (n) => deps.observer?.consumed?.(n),
    logger,
    now,
  });

  async function runFlush(taken: BufferedRecord[], reason: FlushReason, release: () => void): Promise<void> {
    const started = now();
    const attempts = health.track();
    try {
      const result = await executeFlush(
        taken.map((e) => e.record),
        {
          pipeline: { id: pipeline.id, name: pipeline.name, index: pipeline.index },
          indexer: deps.indexer,
          errorSink: deps.errorSink,
          outputSink: deps.outputSink,
          retry: options.retry,
          signal: abort.signal,
          observer: deps.observer,
          health: attempts,
          release,
        },
      );
      for (const e of taken) {
        const o = e.record.origin;
        tracker.complete(o.topic, o.partition, o.offset, e.generation);
      }
      totals.recordsIndexed += result.indexed;
      totals.recordsFailed += result.failed;
      totals.successfulFlushes++;
      totals.lastFlushAt = new Date(now());
      const durationMs = now() - started;
      deps.observer?.flushed?.(pipeline.id, { ...result, reason, durationMs });
      logger.debug({ reason, items: taken.length, durationMs, ...result }, 'flushed');
      void committer.request();
    } catch (e) {
      if (!(abort.signal.aborted || e instanceof AbortedError)) fail(toError(e));
    } finally {
      attempts.done();
    }
  }

  function onAssigned(partitions: TopicPartition[]): void {
    const next = new Map(partitions.map((tp) => [tpKey(tp.topic, tp.partition), tp]));
    for (const [key, tp] of assigned) {
      if (next.has(key)) continue;
      const dropped = buffer.dropPartition(tp.topic, tp.partition);
      tracker.revoke(tp.topic, tp.partition);
      logger.info({ partition: tp.partition, dropped }, 'partition revoked');
    }
    assigned = next;
    tracker.forgetCommitted();
    void committer.request();
    intake.refresh();
    consumerHealth.progressed('consumer');
    logger.info({ partitions: partitions.map((p) => p.partition) }, 'partitions assigned');
  }

  let cleanup: Promise<void> | null = null;
  /** Ends the task: aborts retries, waits for flushes, commits what is finished, leaves the group. */
  function shutdown(): Promise<void> {
    return (cleanup ??= (async () => {
      intake.hold('closed', true);
      abort.abort();
      clearInterval(commitTimer);
      try {
        await runSteps(
          logger,
          [
            ['wait for flushes', () => scheduler.stop()],
            ['commit', () => committer.flush()],
            ['stop consumer', () => source.stop()],
            ['close error sink', () => deps.errorSink.close()],
            ['close output sink', () => deps.outputSink?.close() ?? Promise.resolve()],
          ],
          'task cleanup step',
        );
      } catch {
        // Each failed step is logged; a task's end is complete either way (nothing more to undo).
      } finally {
        buffer.clear();
      }
    })());
  }

  /** Reports the task's end once; what it means (and when it restarts) is the supervisor's call. */
  function fail(error: Error): void {
    if (phase === 'failed' || phase === 'stopped') return;
    phase = 'failed';
    health.note(error);
    void shutdown();
    deps.onFailed?.(error);
  }

  let stopped: Promise<void> | null = null;
  const state = (): TaskState => (phase === 'draining' ? 'running' : phase);

  return {
    pipeline,
    async start() {
      try {
        await source.start({
          onBatch: (batch) => intake.onBatch(batch),
          onAssigned,
          // A crash kafkajs restarts from counts as a failed attempt (the task shows degraded and
          // backs off) until the consumer joins the group again; one it does not restart ends the task.
          onCrash: (error, restart) => {
            if (restart) consumerHealth.failed(error, 'consumer');
            else fail(error);
          },
        });
        if (phase === 'starting') phase = 'running';
      } catch (e) {
        fail(toError(e));
      }
    },
    stop(drainMs = 10_000) {
      return (stopped ??= (async () => {
        if (phase !== 'failed') {
          phase = 'draining';
          intake.hold('closed', true);
          try {
            await scheduler.drain(drainMs, () => abort.signal.aborted);
          } catch (e) {
            logger.warn({ err: e }, 'drain failed');
          }
        }
        await shutdown();
        if (phase !== 'failed') phase = 'stopped';
      })());
    },
    snapshot: () => {
      const h = health.snapshot();
      const f = scheduler.inFlight();
      const s = state();
      return {
        state: s,
        assignedPartitions:
          s === 'running' ? [...assigned.values()].sort((a, b) => a.partition - b.partition) : [],
        consecutiveFailures: h.consecutiveFailures,
        lastError: h.lastError,
        backingOff: h.backingOff,
        ...totals,
        bufferedItems: buffer.items,
        inFlightItems: f.items,
        bufferedBytes: buffer.bytes,
        inFlightBytes: f.bytes,
        bufferFill: intake.fill(),
        paused: intake.paused,
      };
    },
  };
}
