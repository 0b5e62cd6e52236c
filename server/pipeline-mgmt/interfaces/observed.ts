/**
 * The observed status of a pipeline: what its tasks do, as workers report them, beside the desired
 * status a user set.
 */
export const OBSERVED_STATES = ['starting', 'running', 'degraded', 'failed', 'stopping', 'stopped'] as const;
export type ObservedState = (typeof OBSERVED_STATES)[number];

export interface ObservedStatus {
  status: ObservedState;
  /** Why, in words, when the status is not plainly `running` or `stopped`. */
  reason: string | null;
  tasks: {
    /** Task rows, live or not. */
    total: number;
    /** Tasks whose worker sent a heartbeat within server.workerHeartbeatTimeoutSec. */
    live: number;
    running: number;
    starting: number;
    failed: number;
  };
  /** Sum of the live tasks' lag (records); null when none could be read. */
  lag: number | null;
  /** Change of that lag per minute over the last minute; null when unknown. */
  lagGrowthPerMin: number | null;
  /** Records indexed per second over the last minute (live tasks). */
  recordsPerSec: number;
  /** Failed records / all finished records over the last minute; null with no traffic. */
  errorRate: number | null;
  /** Age of the oldest heartbeat among the tasks' workers (seconds); null without tasks. */
  heartbeatAgeSec: number | null;
}

/** Thresholds of the observed status (config keys server.workerHeartbeatTimeoutSec, server.degraded*). */
export interface ObservedSettings {
  /** A worker silent this long (s) no longer counts as running its tasks. */
  heartbeatTimeoutSec: number;
  /** Lag (records) above which a lag still growing over the last minute makes the pipeline degraded. */
  degradedLagRecords: number;
  /** Share of failed records over the last minute above which the pipeline is degraded (0-1). */
  degradedErrorRate: number;
}
