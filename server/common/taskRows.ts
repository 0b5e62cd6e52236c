/**
 * The `workers` and `pipeline_tasks` tables (migrations 001 and 006): the one definition of their
 * names, their row shapes and the format of their JSON columns. Workers write these rows
 * (pipeline-worker's task status store); pipeline-mgmt reads them (its task status reader).
 */

export const WORKERS_TABLE = 'workers';
export const TASKS_TABLE = 'pipeline_tasks';

/** `last_error` is a TEXT column; longer errors are cut to this many characters. */
export const MAX_TASK_ERROR_CHARS = 8000;

/** One row of `workers`: a running worker process and its last heartbeat. */
export interface WorkerRow {
  id: string;
  host: string;
  pid: number;
  version: string;
  started_at: Date;
  heartbeat_at: Date;
  cpu_percent: number;
  /** BIGINT: the driver may return it as a string. */
  rss_bytes: number | string;
}

/** One row of `pipeline_tasks`: one worker's task of one pipeline, as it last reported it. */
export interface TaskRow {
  pipeline_id: string;
  worker_id: string;
  state: string;
  /** JSON array of partition numbers, see `partitionsColumn`. */
  assigned_partitions: string | null;
  restart_count: number;
  consecutive_failures: number;
  next_restart_at: Date | null;
  last_error: string | null;
  last_flush_at: Date | null;
  /** BIGINT columns: the driver may return them as strings. */
  records_indexed: number | string;
  records_failed: number | string;
  records_per_sec: number;
  records_failed_per_sec: number | null;
  lag: number | string | null;
  /** JSON `[{"partition":0,"lag":12}]`, see `partitionLagColumn`. */
  partition_lag: string | null;
  lag_growth_per_min: number | null;
  pipeline_version: number;
  updated_at: Date;
}

export interface PartitionLag {
  partition: number;
  lag: number;
}

/** `assigned_partitions` as written: a JSON array of partition numbers. */
export function partitionsColumn(partitions: readonly number[]): string {
  return JSON.stringify(partitions);
}

/** Reads `assigned_partitions`: a JSON array, or (rows written by hand) a comma list. */
export function parsePartitions(text: string | null): number[] {
  if (!text) return [];
  let values: unknown[];
  try {
    const parsed: unknown = JSON.parse(text);
    values = Array.isArray(parsed) ? parsed : [parsed];
  } catch {
    values = text.split(',');
  }
  return values
    .map((v) => Number(typeof v === 'string' ? v.trim() : v))
    .filter((n) => Number.isInteger(n) && n >= 0);
}

/** `partition_lag` as written; null when the lag could not be read. */
export function partitionLagColumn(lag: readonly PartitionLag[] | null): string | null {
  return lag === null ? null : JSON.stringify(lag);
}

/** Reads `partition_lag`; anything but the written shape reads as unknown (null). */
export function parsePartitionLag(text: string | null): PartitionLag[] | null {
  if (!text) return null;
  try {
    const parsed: unknown = JSON.parse(text);
    if (!Array.isArray(parsed)) return null;
    const out: PartitionLag[] = [];
    for (const v of parsed) {
      const { partition, lag } = (v ?? {}) as { partition?: unknown; lag?: unknown };
      if (!Number.isInteger(partition) || typeof lag !== 'number' || !Number.isFinite(lag)) return null;
      out.push({ partition: partition as number, lag });
    }
    return out;
  } catch {
    return null;
  }
}

/** `last_error` as stored: cut to what the column is meant to hold. */
export function lastErrorColumn(error: string | null): string | null {
  return error === null ? null : error.slice(0, MAX_TASK_ERROR_CHARS);
}
