import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Pipeline } from '../../common/pipelines';
import type { FailedRecord } from '../../common/records';
import { TASK_STATES } from '../interfaces/taskStatusStore';
import type { PipelineTaskView } from '../logics/supervisorView';
import type { TaskObserver } from '../logics/task';
import type { TaskSnapshot } from '../logics/taskTypes';
import type { CompiledProcessing } from '../../common/processors/processing';
import type { SchemaStats } from '../../common/prepare/schema';
import { createProcessingMetrics } from './processingMetrics';
import type { ReplayObserver } from '../logics/replayRunner';
import { createReplayMetrics } from './replayMetrics';

/** Labels every per-pipeline series carries: the id and the (fixed) name. */
const P = ['pipeline', 'pipeline_name'] as const;

/** Distinct failure reasons kept per pipeline and stage; more become `other`. */
export const MAX_REASONS = 20;
const REASON_SHAPE = /^[a-z][a-z0-9_.]{0,63}$/;

/**
 * The reason label of a failed record: the parser's error class or OpenSearch's error type
 * (`mapper_parsing_exception`), never record data; anything else, or past MAX_REASONS, is `other`.
 */
export function reasonClass(errorType: string, seen: Set<string>): string {
  const t = errorType.toLowerCase();
  if (!REASON_SHAPE.test(t)) return 'other';
  if (seen.has(t)) return t;
  if (seen.size >= MAX_REASONS) return 'other';
  seen.add(t);
  return t;
}

export interface WorkerMetricsDeps {
  /** The supervisor's view of its tasks, read at scrape time (task state, lag, buffer, restarts). */
  tasks?: () => readonly PipelineTaskView[];
  /** The replays this worker performs now, read at scrape time. */
  replays?: () => ReadonlyArray<{ pipelineId: string; pipelineName: string }>;
}

export interface WorkerMetrics {
  registry: Registry;
  /** The observer of one task of `pipeline`. */
  observerFor(pipeline: Pick<Pipeline, 'id' | 'name'>): TaskObserver;
  /** Counts of a task's processors and schema check, read when scraped. */
  trackProcessing(
    pipeline: Pick<Pipeline, 'id' | 'name'>,
    processing: CompiledProcessing,
    schema: SchemaStats,
  ): void;
  /** Counts what replays did with their records (`sdp_worker_replayed_total{outcome}`). */
  replayObserver: ReplayObserver;
}

function definitions(registry: Registry) {
  const registers = [registry];
  const counter = (name: string, help: string, extra: string[] = []) =>
    new Counter({ name, help, labelNames: [...P, ...extra], registers });
  const histogram = (name: string, help: string, buckets: number[], extra: string[] = []) =>
    new Histogram({ name, help, labelNames: [...P, ...extra], buckets, registers });
  return {
    consumed: counter('sdp_worker_records_consumed_total', 'Records taken from the input topic'),
    indexed: counter('sdp_worker_records_indexed_total', 'Records indexed into OpenSearch'),
    failed: counter(
      'sdp_worker_records_failed_total',
      'Records written to the error topic, by stage (parse, validate, transform, schema, index) and reason class',
      ['stage', 'reason'],
    ),
    retries: counter(
      'sdp_worker_retries_total',
      'Attempts repeated after a backoff, by stage (index, error-topic, output-topic, consumer)',
      ['stage'],
    ),
    retriedRecords: counter('sdp_worker_records_retried_total', 'Records sent again by retries', ['stage']),
    attemptFailures: counter(
      'sdp_worker_attempt_failures_total',
      'Attempts that made no progress (these count towards server.failureThreshold)',
      ['stage'],
    ),
    bulkRequests: counter(
      'sdp_worker_bulk_requests_total',
      'Bulk requests to OpenSearch by outcome (success, item_errors, error, rejected)',
      ['outcome'],
    ),
    bulkSeconds: histogram(
      'sdp_worker_bulk_duration_seconds',
      'Time from sending a bulk request to its response',
      [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    ),
    bulkRecords: histogram(
      'sdp_worker_bulk_size_records',
      'Records per bulk request',
      [1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000],
    ),
    bulkBytes: histogram(
      'sdp_worker_bulk_size_bytes',
      'Approximate body size of a bulk request (documents and ids)',
      [1024, 16384, 65536, 262144, 1048576, 2097152, 5242880, 10485760, 26214400, 52428800],
    ),
    e2eSeconds: histogram(
      'sdp_worker_end_to_end_latency_seconds',
      "Time from a record's Kafka timestamp to the bulk response that acknowledged it",
      [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 30, 60, 120, 300, 600, 1800, 3600],
    ),
    flushSeconds: histogram(
      'sdp_worker_flush_duration_seconds',
      'Time to take one flush to completion (index, error and output topics), by what triggered it',
      [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      ['reason'],
    ),
  };
}

type Defs = ReturnType<typeof definitions>;

/** Gauges (and the restart counter) read from the supervisor's view when scraped. */
function scrapeTimeMetrics(registry: Registry, tasks: () => readonly PipelineTaskView[]) {
  const registers = [registry];
  const labels = (v: PipelineTaskView) => ({ pipeline: v.pipelineId, pipeline_name: v.pipelineName });
  const gauge = (
    name: string,
    help: string,
    extra: string[],
    fill: (g: Gauge, v: PipelineTaskView) => void,
  ) =>
    new Gauge({
      name,
      help,
      labelNames: [...P, ...extra],
      registers,
      collect() {
        this.reset();
        for (const v of tasks()) fill(this, v);
      },
    });
  gauge(
    'sdp_worker_consumer_lag',
    'Log end offset minus committed offset, per assigned partition (refreshed with every status report)',
    ['partition'],
    (g, v) => {
      for (const [partition, lag] of v.partitionLag ?? [])
        g.set({ ...labels(v), partition: String(partition) }, lag);
    },
  );
  gauge('sdp_worker_task_state', '1 for the state the task is in, 0 for the others', ['state'], (g, v) => {
    for (const s of TASK_STATES) g.set({ ...labels(v), state: s }, s === v.state ? 1 : 0);
  });
  const snapshotGauge = (
    name: string,
    help: string,
    extra: string[],
    fill: (g: Gauge, v: PipelineTaskView, task: Readonly<TaskSnapshot>) => void,
  ) =>
    gauge(name, help, extra, (g, v) => {
      if (v.task) fill(g, v, v.task);
    });
  snapshotGauge(
    'sdp_worker_buffer_records',
    'Records held: waiting for a flush or in flight',
    ['state'],
    (g, v, s) => {
      g.set({ ...labels(v), state: 'waiting' }, s.bufferedItems);
      g.set({ ...labels(v), state: 'in_flight' }, s.inFlightItems);
    },
  );
  snapshotGauge(
    'sdp_worker_buffer_bytes',
    'Approximate bytes held: waiting or in flight',
    ['state'],
    (g, v, s) => {
      g.set({ ...labels(v), state: 'waiting' }, s.bufferedBytes);
      g.set({ ...labels(v), state: 'in_flight' }, s.inFlightBytes);
    },
  );
  snapshotGauge(
    'sdp_worker_buffer_fill_ratio',
    'Held records over the level at which fetching pauses',
    [],
    (g, v, s) => g.set(labels(v), s.bufferFill),
  );
  snapshotGauge('sdp_worker_fetch_paused', '1 while fetching is paused (buffer full)', [], (g, v, s) =>
    g.set(labels(v), s.paused ? 1 : 0),
  );
  snapshotGauge(
    'sdp_worker_task_consecutive_failures',
    'Failed attempts in a row of the task',
    [],
    (g, v, s) => g.set(labels(v), s.consecutiveFailures),
  );
  snapshotGauge(
    'sdp_worker_last_flush_timestamp_seconds',
    'When the task last finished a flush',
    [],
    (g, v, s) => {
      if (s.lastFlushAt) g.set(labels(v), s.lastFlushAt.getTime() / 1000);
    },
  );
  new Counter({
    name: 'sdp_worker_task_restarts_total',
    help: 'Restarts of the pipeline task on this worker (watcher, settings change, version bump)',
    labelNames: [...P],
    registers,
    collect() {
      this.reset();
      for (const v of tasks()) this.inc(labels(v), v.restartCount);
    },
  });
}

/** Removes every series of pipelines this worker no longer has (deleted ones), so labels stay bounded. */
async function forget(defs: Defs, gone: Set<string>): Promise<void> {
  for (const metric of Object.values(defs) as Array<Counter | Histogram>) {
    const seen = new Set<string>();
    for (const v of (await metric.get()).values) {
      if (!gone.has(String(v.labels.pipeline))) continue;
      const { le: _le, ...labels } = v.labels as Record<string, string | number>;
      const key = JSON.stringify(labels);
      if (seen.has(key)) continue;
      seen.add(key);
      metric.remove(labels);
    }
  }
}

function countFailures(failed: readonly FailedRecord[], reasons: Map<string, Set<string>>) {
  const counts = new Map<string, { stage: string; reason: string; n: number }>();
  for (const f of failed) {
    let seen = reasons.get(f.stage);
    if (!seen) reasons.set(f.stage, (seen = new Set()));
    const reason = reasonClass(f.errorType, seen);
    const key = `${f.stage}\u0000${reason}`;
    const c = counts.get(key);
    if (c) c.n++;
    else counts.set(key, { stage: f.stage, reason, n: 1 });
  }
  return counts.values();
}

/**
 * The worker's Prometheus registry (one per worker, no global): process metrics prefixed
 * `sdp_worker_`, per-pipeline counters and histograms fed by the tasks' observers, and gauges read
 * from the supervisor at scrape time.
 */
export function createWorkerMetrics(deps: WorkerMetricsDeps = {}): WorkerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'sdp_worker_' });
  const defs = definitions(registry);
  const tasks = deps.tasks ?? (() => []);
  scrapeTimeMetrics(registry, tasks);
  const processing = createProcessingMetrics(registry);
  const replays = createReplayMetrics(registry, deps.replays ?? (() => []));
  const reasonsByPipeline = new Map<string, Map<string, Set<string>>>();
  const known = new Set<string>();
  new Gauge({
    name: 'sdp_worker_pipelines',
    help: 'Pipelines this worker knows (running or stopped)',
    registers: [registry],
    async collect() {
      const live = new Set(tasks().map((v) => v.pipelineId));
      this.set(live.size);
      const gone = new Set([...known].filter((id) => !live.has(id)));
      if (gone.size === 0) return;
      for (const id of gone) {
        known.delete(id);
        reasonsByPipeline.delete(id);
      }
      await forget(defs, gone);
    },
  });

  return {
    registry,
    trackProcessing: (pipeline, compiled, schema) => processing.track(pipeline, compiled, schema),
    replayObserver: replays,
    observerFor(pipeline) {
      known.add(pipeline.id);
      const l = { pipeline: pipeline.id, pipeline_name: pipeline.name };
      let reasons = reasonsByPipeline.get(pipeline.id);
      if (!reasons) reasonsByPipeline.set(pipeline.id, (reasons = new Map()));
      const stageReasons = reasons;
      const e2e = defs.e2eSeconds.labels(l);
      // Present from the start, so rate() and the dashboard see a 0 rather than no series.
      defs.consumed.inc(l, 0);
      defs.indexed.inc(l, 0);
      return {
        consumed: (n) => defs.consumed.inc(l, n),
        bulkRequest(r) {
          defs.bulkRequests.inc({ ...l, outcome: r.outcome });
          defs.bulkSeconds.observe(l, r.durationMs / 1000);
          defs.bulkRecords.observe(l, r.items);
          defs.bulkBytes.observe(l, r.bytes);
        },
        retried(stage, records) {
          defs.retries.inc({ ...l, stage });
          defs.retriedRecords.inc({ ...l, stage }, records);
        },
        completed(latenciesMs, failed) {
          for (const ms of latenciesMs) e2e.observe(Math.max(0, ms) / 1000);
          for (const c of countFailures(failed, stageReasons))
            defs.failed.inc({ ...l, stage: c.stage, reason: c.reason }, c.n);
        },
        flushed(_id, r) {
          defs.indexed.inc(l, r.indexed);
          defs.flushSeconds.observe({ ...l, reason: r.reason }, r.durationMs / 1000);
        },
        attemptFailed(_id, stage) {
          defs.attemptFailures.inc({ ...l, stage });
        },
      };
    },
  };
}
