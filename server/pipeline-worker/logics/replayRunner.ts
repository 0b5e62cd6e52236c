import { describeError } from '../../common/errors';
import type { Logger } from '../../common/logger';
import type { Pipeline } from '../../common/pipelines';
import type { Prepare } from '../../common/prepare/preparation';
import type { FailedRecord, ParsedRecord } from '../../common/records';
import { compileReplayFilter } from '../../common/replayFilter';
import {
  DRY_RUN_SAMPLE_SIZE,
  DryRunReport,
  PartitionOffsetMap,
  Replay,
  ReplayCounters,
} from '../../common/replays';
import { sleep } from '../../common/retry';
import type { BulkIndexer } from '../interfaces/bulkIndexer';
import type { ErrorTopicScanner, ScanChunk, ScanRange } from '../interfaces/errorTopicScanner';
import type { RecordSink } from '../interfaces/recordSink';
import type { ReplayProgress, ReplayStanding, ReplayStore } from '../interfaces/replayStore';
import { executeFlush, FlushRetry } from './flushExecutor';
import { chunkSizeFor, createPacer } from './replayPace';
import { originKey, parseEnvelope, rebuildSourceRecord } from './replayRecord';
import { createTaskHealth } from './taskHealth';

/** What a replay's records came to, for `sdp_worker_replayed_total{outcome}`. */
export type ReplayOutcome = 'indexed' | 'failed_again' | 'skipped' | 'filtered';

export interface ReplayObserver {
  replayed(pipeline: Pick<Pipeline, 'id' | 'name'>, outcome: ReplayOutcome, n: number): void;
}

export interface ReplayRunnerDeps {
  replay: Replay;
  pipeline: Pipeline;
  workerId: string;
  /** The pipeline's current preparation (the same compiled steps as its task's). */
  prepare: Prepare;
  scanner: ErrorTopicScanner;
  store: ReplayStore;
  indexer: BulkIndexer;
  errorSink: RecordSink;
  outputSink: RecordSink | null;
  retry: FlushRetry;
  /** Consecutive failed attempts (OpenSearch or Kafka not answering) before the replay is marked failed. */
  failureThreshold: number;
  /** Most records per chunk (read, filtered, indexed and saved as one batch). */
  maxChunk: number;
  /** How often the claim's heartbeat is renewed between batches (ms). */
  heartbeatMs: number;
  observer?: ReplayObserver;
  logger: Logger;
}

/** How a run ended, on this worker. */
export type ReplayEnd =
  | { kind: 'succeeded' }
  | { kind: 'failed'; reason: string }
  | { kind: 'cancelled' }
  /** Another worker holds it now, or it ended elsewhere. */
  | { kind: 'lost' }
  /** This worker is stopping: the claim was given back, another worker resumes from the saved positions. */
  | { kind: 'released' };

export interface ReplayRunView {
  replayId: string;
  pipelineId: string;
  pipelineName: string;
  dryRun: boolean;
  counters: ReplayCounters;
  positions: PartitionOffsetMap;
}

export interface ReplayRun {
  readonly replayId: string;
  /** Settles when the run ends (never rejects). */
  readonly done: Promise<ReplayEnd>;
  /** Stops at the next batch and gives the claim back (the worker is shutting down). */
  stop(): Promise<ReplayEnd>;
  view(): ReplayRunView;
}

type StopReason = Exclude<ReplayEnd['kind'], 'succeeded'> | 'limit';

/** The ranges still to read: from each partition's saved position (else its start) to its end snapshot. */
export function remainingRanges(replay: Replay): ScanRange[] {
  return Object.entries(replay.endOffsets)
    .map(([partition, to]) => ({
      partition: Number(partition),
      from: replay.positions[partition] ?? replay.startOffsets[partition] ?? '0',
      to,
    }))
    .filter((r) => BigInt(r.from) < BigInt(r.to))
    .sort((a, b) => a.partition - b.partition);
}

function newReport(): DryRunReport {
  return { outcomes: {}, sample: [] };
}

/**
 * Performs one replay a worker claimed: reads the error topic from the saved positions to the end
 * offsets snapshotted at its start, keeps the envelopes the filter takes, rebuilds each original
 * record, and takes it through the pipeline's current steps and the same flush executor as live
 * records: indexed under the `_id` it would have had the first time, or back to the error topic
 * (`attempts` + 1, `replayId`). One chunk at a time: paced to `ratePerSec`, indexed, then its
 * positions and counters saved, so a worker that dies re-does at most one chunk, under the same ids.
 * A dry run prepares the records and only counts what would happen.
 */
export function startReplayRun(deps: ReplayRunnerDeps): ReplayRun {
  const { replay, pipeline, store, logger } = deps;
  const controller = new AbortController();
  const signal = controller.signal;
  const counters: ReplayCounters = { ...replay.counters };
  const positions: PartitionOffsetMap = { ...replay.positions };
  const report: DryRunReport | null = replay.options.dryRun ? (replay.report ?? newReport()) : null;
  const pacer = createPacer(replay.options.ratePerSec);
  let stopReason: StopReason | null = null;
  let giveUpError: unknown = null;

  const stopWith = (reason: StopReason) => {
    stopReason ??= reason;
    controller.abort();
  };
  const onStanding = (s: ReplayStanding) => {
    if (s === 'cancelled') stopWith('cancelled');
    else if (s === 'lost') stopWith('lost');
  };
  const health = createTaskHealth({
    failureThreshold: deps.failureThreshold,
    onGiveUp: (e) => {
      giveUpError = e;
      stopWith('failed');
    },
    onBackoffChange: () => undefined,
    logger,
  });
  const progress = (): ReplayProgress => ({ positions: { ...positions }, counters: { ...counters }, report });
  const observe = (outcome: ReplayOutcome, n: number) => {
    if (n > 0) deps.observer?.replayed(pipeline, outcome, n);
  };

  const compiled = compileReplayFilter(replay.filter);
  const errorTopicMeta = pipeline.topics.error;

  function dryRunCount(prepared: ParsedRecord[], chunk: ScanChunk, errorOffsets: string[]) {
    if (!report) return;
    prepared.forEach((r, i) => {
      const key = r.kind === 'failed' ? `fail:${r.stage}:${r.errorType}` : 'index';
      report.outcomes[key] = (report.outcomes[key] ?? 0) + 1;
      if (report.sample.length >= DRY_RUN_SAMPLE_SIZE) return;
      const source = {
        topic: r.origin.topic,
        partition: r.origin.partition,
        offset: String(r.origin.offset),
      };
      const at = { errorPartition: chunk.partition, errorOffset: errorOffsets[i]!, source };
      if (r.kind === 'failed')
        report.sample.push({
          ...at,
          outcome: 'fail',
          stage: r.stage,
          errorType: r.errorType,
          reason: r.reason,
        });
      else {
        const docs = r.kind === 'index' ? [r] : r.documents;
        report.sample.push({
          ...at,
          outcome: 'index',
          documents: docs.map((d) => ({ id: d.id, index: d.index ?? pipeline.index })),
        });
      }
    });
  }

  async function onChunk(chunk: ScanChunk): Promise<void> {
    if (!('filter' in compiled)) return;
    // This batch's counts, made the replay's only once it is done: a batch cut short (cancel, stop)
    // is re-read on resume and must not be counted twice.
    const c: ReplayCounters = { ...counters };
    const taken: Array<{ errorOffset: string; envelope: Record<string, unknown> }> = [];
    let stopAt: string | null = null;
    let filtered = 0;
    for (const rec of chunk.records) {
      const envelope = parseEnvelope(rec.value);
      const limit = replay.options.maxRecords;
      const verdict =
        envelope === null || envelope.pipelineId !== pipeline.id
          ? ({ matched: false } as const)
          : compiled.filter.test({
              envelope,
              meta: {
                topic: errorTopicMeta,
                partition: rec.partition,
                offset: Number(rec.offset),
                timestamp: rec.timestamp,
                key: null,
                headers: {},
              },
            });
      if (!verdict.matched || envelope === null) {
        c.scanned++;
        filtered++;
        continue;
      }
      if (limit !== null && c.matched >= limit) {
        stopAt = rec.offset;
        break;
      }
      c.scanned++;
      c.matched++;
      taken.push({ errorOffset: rec.offset, envelope });
    }
    observe('filtered', filtered);

    const wait = pacer.delayBefore(taken.length);
    if (wait > 0) await sleep(wait, signal);

    const prepared: ParsedRecord[] = [];
    const errorOffsets: string[] = [];
    const priorAttempts = new Map<string, number>();
    let skipped = 0;
    for (const t of taken) {
      const rebuilt = rebuildSourceRecord(t.envelope);
      if ('skip' in rebuilt) {
        skipped++;
        if (report) {
          const key = `skip:${rebuilt.skip}`;
          report.outcomes[key] = (report.outcomes[key] ?? 0) + 1;
        }
        continue;
      }
      priorAttempts.set(originKey(rebuilt.record), rebuilt.attempts);
      prepared.push(deps.prepare(rebuilt.record));
      errorOffsets.push(t.errorOffset);
    }
    c.skipped += skipped;
    c.replayed += prepared.length;
    observe('skipped', skipped);

    if (report) {
      dryRunCount(prepared, chunk, errorOffsets);
      for (const r of prepared) {
        if (r.kind === 'failed') c.failedAgain++;
        else c.indexed += r.kind === 'index' ? 1 : r.documents.length;
      }
    } else if (prepared.length > 0) {
      const tracked = health.track();
      try {
        const result = await executeFlush(prepared, {
          pipeline: { id: pipeline.id, name: pipeline.name, index: pipeline.index },
          indexer: deps.indexer,
          errorSink: deps.errorSink,
          outputSink: deps.outputSink,
          retry: deps.retry,
          signal,
          health: tracked,
          annotateFailure: (f: FailedRecord): FailedRecord => ({
            ...f,
            attempts: (priorAttempts.get(originKey(f.origin)) ?? 1) + f.attempts,
            replayId: replay.id,
          }),
        });
        c.indexed += result.indexed;
        c.failedAgain += result.failed;
        observe('indexed', result.indexed);
        observe('failed_again', result.failed);
      } finally {
        tracked.done();
      }
    }
    Object.assign(counters, c);
    positions[String(chunk.partition)] = stopAt ?? chunk.next;
    onStanding(await store.saveProgress(replay.id, deps.workerId, progress()));
    if (stopAt !== null) stopWith('limit');
  }

  const heartbeat = setInterval(() => {
    store
      .heartbeat(replay.id, deps.workerId)
      .then(onStanding, (e: unknown) =>
        logger.warn({ err: e, replayId: replay.id }, 'replay heartbeat failed'),
      );
  }, deps.heartbeatMs);

  async function run(): Promise<ReplayEnd> {
    if (!('filter' in compiled))
      return { kind: 'failed', reason: compiled.problems.map((p) => `${p.path} ${p.message}`).join('; ') };
    let error: unknown = null;
    try {
      await deps.scanner.scan(pipeline.topics.error, remainingRanges({ ...replay, positions }), onChunk, {
        maxChunk: chunkSizeFor(replay.options.ratePerSec, deps.maxChunk),
        signal,
      });
    } catch (e) {
      error = e;
    }
    const reason = stopReason as StopReason | null;
    if (reason === 'failed')
      return {
        kind: 'failed',
        reason: `gave up after repeated failed attempts: ${describeError(giveUpError)}`,
      };
    if (reason === 'cancelled' || reason === 'lost' || reason === 'released') return { kind: reason };
    if (error !== null && reason !== 'limit') return { kind: 'failed', reason: describeError(error) };
    return { kind: 'succeeded' };
  }

  async function settle(end: ReplayEnd): Promise<ReplayEnd> {
    try {
      if (end.kind === 'succeeded' || end.kind === 'failed') {
        const s = await store.finish(replay.id, deps.workerId, {
          status: end.kind,
          ...(end.kind === 'failed' ? { reason: end.reason } : {}),
          progress: progress(),
        });
        if (s === 'cancelled') return { kind: 'cancelled' };
        if (s === 'lost') return { kind: 'lost' };
      } else if (end.kind === 'released') {
        await store.release(replay.id, deps.workerId, progress());
      }
    } catch (e) {
      // The claim then goes stale and another worker resumes it from the last saved positions.
      logger.warn({ err: e, replayId: replay.id }, 'could not record the end of a replay');
    }
    return end;
  }

  const done = run()
    .then(settle)
    .catch((e: unknown): ReplayEnd => ({ kind: 'failed', reason: describeError(e) }))
    .finally(() => clearInterval(heartbeat));

  return {
    replayId: replay.id,
    done,
    stop() {
      stopWith('released');
      return done;
    },
    view: () => ({
      replayId: replay.id,
      pipelineId: pipeline.id,
      pipelineName: pipeline.name,
      dryRun: replay.options.dryRun,
      counters: { ...counters },
      positions: { ...positions },
    }),
  };
}
