import type { Knex } from 'knex';
import {
  lastErrorColumn,
  partitionLagColumn,
  partitionsColumn,
  TASKS_TABLE as TASKS,
  TaskRow,
  WORKERS_TABLE as WORKERS,
  WorkerRow,
} from '../../common/taskRows';
import type { TaskReport, TaskStatusStore, WorkerInfo, WorkerUsage } from '../interfaces/taskStatusStore';

/** `workers` and `pipeline_tasks` in MariaDB (tables of migrations 001 and 006). */
export function createMariaDbTaskStatusStore({ db }: { db: Knex }): TaskStatusStore {
  const workerRow = (w: WorkerInfo, usage: WorkerUsage, at: Date): WorkerRow => ({
    id: w.id,
    host: w.host,
    pid: w.pid,
    version: w.version,
    started_at: w.startedAt,
    heartbeat_at: at,
    cpu_percent: usage.cpuPercent,
    rss_bytes: usage.rssBytes,
  });
  const taskRow = (workerId: string, t: TaskReport, at: Date): TaskRow => ({
    pipeline_id: t.pipelineId,
    worker_id: workerId,
    state: t.state,
    assigned_partitions: partitionsColumn(t.assignedPartitions.map((p) => p.partition)),
    restart_count: t.restartCount,
    consecutive_failures: t.consecutiveFailures,
    next_restart_at: t.nextRestartAt,
    last_error: lastErrorColumn(t.lastError),
    last_flush_at: t.lastFlushAt,
    records_indexed: t.recordsIndexed,
    records_failed: t.recordsFailed,
    records_per_sec: t.recordsPerSec,
    records_failed_per_sec: t.recordsFailedPerSec,
    lag: t.lag,
    partition_lag: partitionLagColumn(t.partitionLag),
    lag_growth_per_min: t.lagGrowthPerMin,
    pipeline_version: t.pipelineVersion,
    updated_at: at,
  });

  return {
    async registerWorker(w) {
      await db(WORKERS)
        .insert(workerRow(w, { cpuPercent: 0, rssBytes: process.memoryUsage().rss }, new Date()))
        .onConflict('id')
        .merge();
    },
    async heartbeat(w, usage) {
      await db(WORKERS)
        .insert(workerRow(w, usage, new Date()))
        .onConflict('id')
        .merge(['heartbeat_at', 'cpu_percent', 'rss_bytes']);
    },
    async saveTasks(workerId, tasks) {
      if (tasks.length === 0) return;
      const at = new Date();
      await db(TASKS)
        .insert(tasks.map((t) => taskRow(workerId, t, at)))
        .onConflict(['pipeline_id', 'worker_id'])
        .merge();
    },
    async removeTask(workerId, pipelineId) {
      await db(TASKS).where({ worker_id: workerId, pipeline_id: pipelineId }).delete();
    },
    async removeWorker(workerId) {
      await db(TASKS).where({ worker_id: workerId }).delete();
      await db(WORKERS).where({ id: workerId }).delete();
    },
    async removeStaleWorkers(olderThanMs) {
      const cutoff = new Date(Date.now() - olderThanMs);
      const stale = (await db(WORKERS).where('heartbeat_at', '<', cutoff).pluck('id')) as string[];
      if (stale.length === 0) return 0;
      await db(TASKS).whereIn('worker_id', stale).delete();
      await db(WORKERS).whereIn('id', stale).delete();
      return stale.length;
    },
  };
}
