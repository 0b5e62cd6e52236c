import type { Knex } from 'knex';
import type { TaskStatus, TaskStatusReader } from '../interfaces/taskStatusReader';
import {
  parsePartitionLag,
  parsePartitions,
  TASKS_TABLE,
  TaskRow,
  WORKERS_TABLE,
} from '../../common/taskRows';
import { dbCall } from './dbErrors';

/** A task row joined with what its worker last reported (null when the worker row is gone). */
type TaskWithWorkerRow = TaskRow & {
  host: string | null;
  cpu_percent: number | null;
  rss_bytes: number | string | null;
  heartbeat_age_us: number | string | null;
};

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
const num = (v: number | string | null) => (v === null ? null : Number(v));

function toStatus(r: TaskWithWorkerRow): TaskStatus {
  const ageUs = num(r.heartbeat_age_us);
  return {
    workerId: r.worker_id,
    host: r.host,
    state: r.state,
    assignedPartitions: parsePartitions(r.assigned_partitions),
    restartCount: Number(r.restart_count),
    consecutiveFailures: Number(r.consecutive_failures),
    nextRestartAt: iso(r.next_restart_at),
    lastError: r.last_error,
    lastFlushAt: iso(r.last_flush_at),
    recordsIndexed: Number(r.records_indexed),
    recordsFailed: Number(r.records_failed),
    recordsPerSec: Number(r.records_per_sec),
    recordsFailedPerSec: Number(r.records_failed_per_sec ?? 0),
    lag: num(r.lag),
    partitionLag: parsePartitionLag(r.partition_lag),
    lagGrowthPerMin: num(r.lag_growth_per_min),
    pipelineVersion: Number(r.pipeline_version),
    cpuPercent: num(r.cpu_percent),
    rssBytes: num(r.rss_bytes),
    heartbeatAgeSec: ageUs === null ? null : Math.round(ageUs / 1000) / 1000,
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}

/** Task rows written by workers (`pipeline_tasks`), joined with the reporting worker (`workers`). */
export function createMariaDbTaskStatusReader({ db }: { db: Knex }): TaskStatusReader {
  const rowsOf = async (pipelineIds: string[]) =>
    (await db(`${TASKS_TABLE} as t`)
      .leftJoin(`${WORKERS_TABLE} as w`, 'w.id', 't.worker_id')
      .whereIn('t.pipeline_id', pipelineIds)
      .orderBy(['t.pipeline_id', 't.worker_id'])
      .select(
        't.*',
        'w.host',
        'w.cpu_percent',
        'w.rss_bytes',
        // The database's clock on both sides, so the age does not depend on this host's clock.
        db.raw('TIMESTAMPDIFF(MICROSECOND, w.heartbeat_at, UTC_TIMESTAMP(3)) AS heartbeat_age_us'),
      )) as TaskWithWorkerRow[];
  return {
    listForPipeline: (pipelineId) => dbCall(async () => (await rowsOf([pipelineId])).map(toStatus)),
    listForPipelines: (pipelineIds) =>
      dbCall(async () => {
        const byPipeline = new Map<string, TaskStatus[]>();
        if (pipelineIds.length === 0) return byPipeline;
        for (const row of await rowsOf(pipelineIds)) {
          const list = byPipeline.get(row.pipeline_id) ?? [];
          list.push(toStatus(row));
          byPipeline.set(row.pipeline_id, list);
        }
        return byPipeline;
      }),
  };
}
