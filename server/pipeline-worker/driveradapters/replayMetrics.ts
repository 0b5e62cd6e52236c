import { Counter, Gauge, Registry } from 'prom-client';
import type { ReplayObserver } from '../logics/replayRunner';

/**
 * Replay metrics: `sdp_worker_replayed_total{outcome}` (indexed, failed_again, skipped, filtered)
 * per pipeline, and `sdp_worker_replays_running`, the replays this worker performs now.
 */
export function createReplayMetrics(
  registry: Registry,
  runs: () => ReadonlyArray<{ pipelineId: string; pipelineName: string }>,
): ReplayObserver {
  const replayed = new Counter({
    name: 'sdp_worker_replayed_total',
    help: 'Failed records taken by replays, by outcome: indexed (documents), failed_again, skipped (not rebuildable), filtered (not matched)',
    labelNames: ['pipeline', 'pipeline_name', 'outcome'],
    registers: [registry],
  });
  new Gauge({
    name: 'sdp_worker_replays_running',
    help: 'Replays this worker performs now, per pipeline',
    labelNames: ['pipeline', 'pipeline_name'],
    registers: [registry],
    collect() {
      this.reset();
      for (const r of runs()) this.inc({ pipeline: r.pipelineId, pipeline_name: r.pipelineName });
    },
  });
  return {
    replayed(pipeline, outcome, n) {
      replayed.inc({ pipeline: pipeline.id, pipeline_name: pipeline.name, outcome }, n);
    },
  };
}
