import type { Pipeline } from '../../common/pipelines';
import type { ObservedSettings, ObservedState, ObservedStatus } from '../interfaces/observed';
import type { TaskStatus } from '../interfaces/taskStatusReader';

/** Whether the task's worker sent a heartbeat recently enough to count. */
export function isLive(t: TaskStatus, s: ObservedSettings): boolean {
  return t.heartbeatAgeSec !== null && t.heartbeatAgeSec <= s.heartbeatTimeoutSec;
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;
const clip = (text: string, max = 300) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const sumOrNull = (values: Array<number | null>) => {
  const known = values.filter((v): v is number => v !== null);
  return known.length === 0 ? null : known.reduce((a, b) => a + b, 0);
};

/** Reasons a running pipeline is degraded, worst first; empty when it is healthy. */
function degradedReasons(
  pipeline: Pick<Pipeline, 'partitions'>,
  live: TaskStatus[],
  dead: TaskStatus[],
  summary: Pick<ObservedStatus, 'lag' | 'lagGrowthPerMin' | 'errorRate'>,
  s: ObservedSettings,
): string[] {
  const reasons: string[] = [];
  const retrying = live.find((t) => t.consecutiveFailures > 0);
  if (retrying) {
    reasons.push(
      clip(
        `worker ${retrying.workerId} is retrying (${retrying.consecutiveFailures} failed attempts in a row)` +
          (retrying.lastError ? `: ${retrying.lastError}` : ''),
      ),
    );
  }
  if (summary.errorRate !== null && summary.errorRate > s.degradedErrorRate) {
    reasons.push(
      `${round(summary.errorRate * 100, 1)}% of records failed over the last minute (threshold ${round(s.degradedErrorRate * 100, 1)}%)`,
    );
  }
  const { lag, lagGrowthPerMin: growth } = summary;
  if (lag !== null && lag > s.degradedLagRecords && growth !== null && growth > 0) {
    reasons.push(`lag ${lag} records and growing by ${growth} per minute`);
  }
  for (const t of dead) {
    reasons.push(`worker ${t.workerId} silent for ${Math.round(t.heartbeatAgeSec ?? 0)} s`);
  }
  const running = live.filter((t) => t.state === 'running');
  if (running.length > 0 && live.every((t) => t.state === 'running')) {
    const covered = new Set(running.flatMap((t) => t.assignedPartitions));
    const missing: number[] = [];
    for (let p = 0; p < pipeline.partitions; p++) if (!covered.has(p)) missing.push(p);
    if (missing.length > 0) reasons.push(`partition(s) ${missing.join(', ')} assigned to no live task`);
  }
  return reasons;
}

/**
 * Summarises a pipeline's tasks into one observed status:
 * - desired `stopped`: `stopping` while a live task still runs, else `stopped`;
 * - desired `running`: `failed` when a live task failed, or no live worker runs it (after a grace
 *   period of server.workerHeartbeatTimeoutSec since the pipeline last changed, `starting` before);
 *   `starting` while every live task starts; `degraded` when a task retries, the error rate or a
 *   growing lag passes its threshold, a worker went silent or a partition has no live task;
 *   else `running`.
 */
export function observePipeline(
  pipeline: Pick<Pipeline, 'status' | 'partitions' | 'updatedAt'>,
  tasks: TaskStatus[],
  settings: ObservedSettings,
  now: Date,
): ObservedStatus {
  const live = tasks.filter((t) => isLive(t, settings));
  const dead = tasks.filter((t) => !isLive(t, settings));
  const count = (state: string) => live.filter((t) => t.state === state).length;
  const indexedPerSec = live.reduce((a, t) => a + t.recordsPerSec, 0);
  const failedPerSec = live.reduce((a, t) => a + t.recordsFailedPerSec, 0);
  const ages = tasks.map((t) => t.heartbeatAgeSec).filter((a): a is number => a !== null);
  const base = {
    tasks: {
      total: tasks.length,
      live: live.length,
      running: count('running'),
      starting: count('starting'),
      failed: count('failed'),
    },
    lag: sumOrNull(live.map((t) => t.lag)),
    lagGrowthPerMin: sumOrNull(live.map((t) => t.lagGrowthPerMin)),
    recordsPerSec: round(indexedPerSec, 1),
    errorRate:
      indexedPerSec + failedPerSec > 0 ? round(failedPerSec / (indexedPerSec + failedPerSec), 4) : null,
    heartbeatAgeSec: ages.length === 0 ? null : Math.max(...ages),
  };
  const result = (status: ObservedState, reason: string | null = null): ObservedStatus => ({
    status,
    reason,
    ...base,
  });

  if (pipeline.status === 'stopped') {
    const active = live.filter((t) => t.state === 'running' || t.state === 'starting').length;
    return active > 0 ? result('stopping', `${active} task(s) still draining`) : result('stopped');
  }
  const failed = live.find((t) => t.state === 'failed');
  if (failed) {
    const why = failed.lastError ? `: ${failed.lastError}` : '';
    return result('failed', clip(`task on worker ${failed.workerId} failed${why}`));
  }
  const active = live.filter((t) => t.state === 'running' || t.state === 'starting');
  if (active.length === 0) {
    // Workers take a pipeline up within seconds of a change; past the grace period nobody does.
    const sinceChangeSec = (now.getTime() - new Date(pipeline.updatedAt).getTime()) / 1000;
    if (sinceChangeSec <= settings.heartbeatTimeoutSec)
      return result('starting', 'waiting for a worker to take the pipeline');
    if (tasks.length === 0) return result('failed', 'no worker runs this pipeline');
    if (live.length > 0) return result('failed', 'no task runs this pipeline');
    const age = Math.round(base.heartbeatAgeSec ?? 0);
    return result('failed', `no live worker runs this pipeline (last heartbeat ${age} s ago)`);
  }
  if (active.every((t) => t.state === 'starting')) return result('starting', 'tasks are starting');
  const reasons = degradedReasons(pipeline, live, dead, base, settings);
  if (reasons.length > 0) return result('degraded', clip(reasons.join('; '), 1000));
  return result('running');
}
