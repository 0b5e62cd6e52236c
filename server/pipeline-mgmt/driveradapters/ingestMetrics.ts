import { Counter, Gauge, Registry } from 'prom-client';
import type { IngestObserver } from '../interfaces/ingestService';

/**
 * HTTP ingest's series on pipeline-mgmt's registry: records accepted, records refused by reason
 * (a bounded set: pipeline_not_running, output_disabled, too_many_waits), outcomes of waited-for
 * records, and the records waiting now. Refusals before the service (403, 413, 415) are in
 * sdp_mgmt_http_requests_total by status.
 */
export function createIngestMetrics(registry: Registry, pendingRecords: () => number): IngestObserver {
  const registers = [registry];
  const accepted = new Counter({
    name: 'sdp_mgmt_ingest_records_accepted_total',
    help: 'Records posted over HTTP and acknowledged by Kafka',
    registers,
  });
  const rejected = new Counter({
    name: 'sdp_mgmt_ingest_records_rejected_total',
    help: 'Records posted over HTTP and refused, by reason',
    labelNames: ['reason'],
    registers,
  });
  const outcomes = new Counter({
    name: 'sdp_mgmt_ingest_wait_outcomes_total',
    help: 'Waited-for records by their outcome when the reply went out (indexed, failed, pending)',
    labelNames: ['outcome'],
    registers,
  });
  new Gauge({
    name: 'sdp_mgmt_ingest_pending_records',
    help: 'Records callers wait for right now (wait=indexed)',
    registers,
    collect() {
      this.set(pendingRecords());
    },
  });
  accepted.inc(0);
  for (const o of ['indexed', 'failed', 'pending']) outcomes.inc({ outcome: o }, 0);
  return {
    accepted: (n) => accepted.inc(n),
    rejected: (reason, n) => rejected.inc({ reason }, n),
    answered(list) {
      const by = { indexed: 0, failed: 0, pending: 0 };
      for (const o of list) by[o.status]++;
      for (const [outcome, n] of Object.entries(by)) if (n > 0) outcomes.inc({ outcome }, n);
    },
  };
}
