import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { TaskObserver } from '../logics/task';

/** The worker's Prometheus registry (one per worker, no global): process defaults plus flush counters. */
export function createWorkerMetrics(): { registry: Registry; observer: TaskObserver } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'sdp_worker_' });
  const indexed = new Counter({
    name: 'sdp_worker_records_indexed_total',
    help: 'Records indexed into OpenSearch',
    labelNames: ['pipeline'],
    registers: [registry],
  });
  const failed = new Counter({
    name: 'sdp_worker_records_failed_total',
    help: 'Records written to the error topic',
    labelNames: ['pipeline'],
    registers: [registry],
  });
  const bulkRequests = new Counter({
    name: 'sdp_worker_bulk_requests_total',
    help: 'Bulk requests sent to OpenSearch',
    labelNames: ['pipeline'],
    registers: [registry],
  });
  const attemptFailures = new Counter({
    name: 'sdp_worker_attempt_failures_total',
    help: 'Flush attempts that made no progress and were retried',
    labelNames: ['pipeline', 'stage'],
    registers: [registry],
  });
  const flushSeconds = new Histogram({
    name: 'sdp_worker_flush_duration_seconds',
    help: 'Time to take one flush to completion (index, error and output topics)',
    labelNames: ['reason'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  return {
    registry,
    observer: {
      flushed(pipelineId, r) {
        indexed.inc({ pipeline: pipelineId }, r.indexed);
        failed.inc({ pipeline: pipelineId }, r.failed);
        bulkRequests.inc({ pipeline: pipelineId }, r.bulkRequests);
        flushSeconds.observe({ reason: r.reason }, r.durationMs / 1000);
      },
      attemptFailed(pipelineId, stage) {
        attemptFailures.inc({ pipeline: pipelineId, stage });
      },
    },
  };
}
