import { describeError, toError } from '../../common/errors';
import { AbortedError, sleep } from '../../common/retry';
import { TopicPartition, tpKey } from '../interfaces/records';
import type { SourceBatch } from '../interfaces/recordSource';
import type { TaskState } from '../interfaces/taskStatusStore';
import { createCommitter } from './committer';
import { AttemptStage, executeFlush } from './flushExecutor';
import { bufferBounds, flushReason, FlushReason } from './flushPolicy';
import { OffsetTracker } from './offsetTracker';
import { RecordBuffer } from './recordBuffer';
import { parseRecord } from './recordParser';
import type { Task, TaskDeps } from './taskTypes';

export type { Task, TaskDeps, TaskObserver, TaskOptions, TaskSnapshot } from './taskTypes';

/**
 * One pipeline's task on this worker: consume -> validate -> index -> route failures -> commit.
 * Batches are taken into a bounded buffer and fetching pauses while it is full, so the consumer
 * keeps heartbeating however slow OpenSearch is; flushes run beside the consumer; offsets are
 * committed only up to the contiguous prefix of finished records.
 */
export function createTask(deps: TaskDeps): Task {
  const { pipeline, limits, source, options, logger } = deps;
  const now = deps.now ?? Date.now;
  const bounds = options.bounds ?? bufferBounds(limits, options.maxInFlight);
  const tracker = new OffsetTracker();
  const buffer = new RecordBuffer();
  const abort = new AbortController();
  const flights = new Set<Promise<void>>();
  let assigned = new Map<string, TopicPartition>();
  let state: TaskState = 'starting';
  let accepting = true;
  let draining = false;
  let paused = false;
  let inFlightBytes = 0;
  let inFlightItems = 0;
  /** Flushes whose bulk requests are still with OpenSearch (at most options.maxInFlight). */
  let bulkSlotsInUse = 0;
  let consecutiveFailures = 0;
  let lastError: string | null = null;
  let lastFlushAt: Date | null = null;
  let recordsIndexed = 0;
  let recordsFailed = 0;
  let successfulFlushes = 0;
  let flushTimer: NodeJS.Timeout | null = null;
  const committer = createCommitter({
    tracker,
    commit: (offsets) => source.commit(offsets),
    isAssigned: (t, p) => assigned.has(tpKey(t, p)),
    logger,
  });
  const commitTimer = setInterval(() => void committer.request(), options.commitIntervalMs);
  commitTimer.unref();

  const isFull = () =>
    buffer.bytes + inFlightBytes >= bounds.highBytes || buffer.items + inFlightItems >= bounds.highItems;
  const isLow = () =>
    buffer.bytes + inFlightBytes <= bounds.lowBytes && buffer.items + inFlightItems <= bounds.lowItems;

  function setPaused(p: boolean): void {
    if (paused === p) return;
    paused = p;
    logger.debug(
      { paused: p, buffered: buffer.items, inFlight: inFlightItems },
      'fetching paused state changed',
    );
    source.setPaused(p);
  }

  function onAttemptFailed(error: unknown, stage: AttemptStage): void {
    consecutiveFailures++;
    lastError = describeError(error);
    deps.observer?.attemptFailed?.(pipeline.id, stage);
    logger.warn({ stage, consecutiveFailures, error: lastError }, 'flush attempt failed; backing off');
    if (consecutiveFailures >= options.failureThreshold) fail(toError(error));
  }

  function startFlush(reason: FlushReason): void {
    const { taken, bytes } = buffer.take(limits);
    if (taken.length === 0) return;
    inFlightBytes += bytes;
    inFlightItems += taken.length;
    const started = now();
    // A flush holds a bulk slot until OpenSearch is done with it, not while its Kafka sends finish.
    let holdsSlot = true;
    bulkSlotsInUse++;
    const releaseSlot = () => {
      if (!holdsSlot) return;
      holdsSlot = false;
      bulkSlotsInUse--;
      pump();
    };
    const flight = executeFlush(
      taken.map((e) => e.record),
      {
        pipeline: { id: pipeline.id, name: pipeline.name, index: pipeline.index },
        indexer: deps.indexer,
        errorSink: deps.errorSink,
        outputSink: deps.outputSink,
        retry: options.retry,
        signal: abort.signal,
        observer: deps.observer,
        onAttemptFailed,
        onProgress: () => {
          consecutiveFailures = 0;
        },
        onIndexed: releaseSlot,
      },
    )
      .then((result) => {
        for (const e of taken) {
          const o = e.record.origin;
          tracker.complete(o.topic, o.partition, o.offset, e.generation);
        }
        recordsIndexed += result.indexed;
        recordsFailed += result.failed;
        successfulFlushes++;
        lastFlushAt = new Date(now());
        const durationMs = now() - started;
        deps.observer?.flushed?.(pipeline.id, { ...result, reason, durationMs });
        logger.debug({ reason, items: taken.length, bytes, durationMs, ...result }, 'flushed');
        void committer.request();
      })
      .catch((e: unknown) => {
        if (abort.signal.aborted || e instanceof AbortedError) return;
        logger.error({ err: e }, 'flush failed unexpectedly');
        fail(toError(e));
      })
      .finally(() => {
        inFlightBytes -= bytes;
        inFlightItems -= taken.length;
        flights.delete(flight);
        if (paused && accepting && isLow()) setPaused(false);
        if (holdsSlot) releaseSlot();
        else pump();
      });
    flights.add(flight);
  }

  /** Starts flushes while there is room and a reason; otherwise arms the interval timer. */
  function pump(): void {
    if (abort.signal.aborted) return;
    while (bulkSlotsInUse < options.maxInFlight) {
      const oldest = buffer.oldestAt();
      const shape = {
        bytes: buffer.bytes,
        items: buffer.items,
        oldestAgeMs: oldest === null ? 0 : now() - oldest,
      };
      const reason = flushReason(shape, limits, draining);
      if (!reason) break;
      startFlush(reason);
    }
    const oldest = buffer.oldestAt();
    if (oldest !== null && !flushTimer) {
      flushTimer = setTimeout(
        () => {
          flushTimer = null;
          pump();
        },
        Math.max(1, oldest + limits.intervalMs - now()),
      );
    }
  }

  function onBatch(batch: SourceBatch): number {
    if (!accepting) return 0;
    const { topic, partition } = batch;
    let taken = 0;
    let fresh = 0;
    for (const r of batch.records) {
      if (isFull()) break;
      const offset = Number(r.offset);
      if (tracker.isNew(topic, partition, offset)) {
        // Parse first: a record is tracked only together with its place in the buffer.
        const record = parseRecord(r, { idField: pipeline.idField });
        tracker.track(topic, partition, offset);
        buffer.push({ record, generation: tracker.generation(topic, partition), at: now() });
        fresh++;
      }
      taken++;
    }
    if (fresh > 0) deps.observer?.consumed?.(fresh);
    if (taken === batch.records.length) tracker.fetchedThrough(topic, partition, Number(batch.lastOffset));
    if (isFull()) setPaused(true);
    pump();
    return taken;
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
    if (paused && accepting && isLow()) setPaused(false);
    logger.info({ partitions: partitions.map((p) => p.partition) }, 'partitions assigned');
  }

  let cleanup: Promise<void> | null = null;
  /** Ends the task: aborts retries, waits for flushes, commits what is finished, leaves the group. */
  function shutdown(): Promise<void> {
    return (cleanup ??= (async () => {
      accepting = false;
      abort.abort();
      clearInterval(commitTimer);
      if (flushTimer) clearTimeout(flushTimer);
      const steps: Array<[string, () => Promise<unknown>]> = [
        ['wait for flushes', () => Promise.allSettled([...flights])],
        ['commit', () => committer.flush()],
        ['stop consumer', () => source.stop()],
        ['close error sink', () => deps.errorSink.close()],
        ['close output sink', () => deps.outputSink?.close() ?? Promise.resolve()],
      ];
      for (const [name, step] of steps) {
        try {
          await step();
        } catch (e) {
          logger.warn({ err: e, step: name }, 'task cleanup step failed');
        }
      }
      buffer.clear();
    })());
  }

  function fail(error: Error): void {
    if (state === 'failed' || state === 'stopped') return;
    state = 'failed';
    lastError = describeError(error);
    logger.error({ error: lastError, consecutiveFailures }, 'task failed');
    void shutdown();
    deps.onFailed?.(error);
  }

  let stopped: Promise<void> | null = null;
  async function drain(drainMs: number): Promise<void> {
    accepting = false;
    draining = true;
    setPaused(true);
    const deadline = new AbortController();
    const timedOut = sleep(drainMs, deadline.signal).then(
      () => true,
      () => true,
    );
    try {
      while (!abort.signal.aborted && (buffer.items > 0 || flights.size > 0)) {
        pump();
        if (flights.size === 0) break;
        if (await Promise.race([Promise.race(flights).then(() => false), timedOut])) {
          logger.warn(
            { buffered: buffer.items, inFlight: inFlightItems },
            'drain timed out; abandoning the rest',
          );
          break;
        }
      }
    } finally {
      deadline.abort();
    }
  }

  return {
    pipeline,
    async start() {
      try {
        await source.start({
          onBatch,
          onAssigned,
          onCrash: (error, restart) => {
            lastError = describeError(error);
            if (restart) logger.warn({ error: lastError }, 'consumer crashed; kafkajs restarts it');
            else fail(error);
          },
        });
        if (state === 'starting') state = 'running';
      } catch (e) {
        fail(toError(e));
      }
    },
    stop(drainMs = 10_000) {
      return (stopped ??= (async () => {
        if (state !== 'failed') {
          try {
            await drain(drainMs);
          } catch (e) {
            logger.warn({ err: e }, 'drain failed');
          }
        }
        await shutdown();
        if (state !== 'failed') state = 'stopped';
      })());
    },
    snapshot: () => ({
      state,
      assignedPartitions:
        state === 'running' ? [...assigned.values()].sort((a, b) => a.partition - b.partition) : [],
      consecutiveFailures,
      lastError,
      lastFlushAt,
      recordsIndexed,
      recordsFailed,
      successfulFlushes,
      bufferedItems: buffer.items,
      inFlightItems,
      bufferedBytes: buffer.bytes,
      inFlightBytes,
      bufferFill: Math.max(
        (buffer.bytes + inFlightBytes) / bounds.highBytes,
        (buffer.items + inFlightItems) / bounds.highItems,
      ),
      paused,
    }),
  };
}
