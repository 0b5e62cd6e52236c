/** The API's shapes the console reads (see /openapi.json); only the fields it shows. */

export type ObservedState = 'starting' | 'running' | 'degraded' | 'failed' | 'stopping' | 'stopped';

export interface Observed {
  status: ObservedState;
  reason: string | null;
  tasks: { total: number; live: number; running: number; starting: number; failed: number };
  lag: number | null;
  lagGrowthPerMin: number | null;
  recordsPerSec: number;
  errorRate: number | null;
  heartbeatAgeSec: number | null;
}

export interface Pipeline {
  id: string;
  name: string;
  description: string;
  index: string;
  topics: Record<string, string>;
  partitions: number;
  replicationFactor: number;
  flush: Record<string, unknown>;
  idField: string | null;
  outputEnabled: boolean;
  status: 'running' | 'stopped';
  version: number;
  team: string | null;
  createdBy: string;
  updatedBy: string;
  createdAt: string;
  updatedAt: string;
  observed: Observed;
  /** Present once pipelines have processors; shown without depending on their exact shape. */
  processors?: unknown;
}

export interface Task {
  workerId: string;
  host: string | null;
  state: string;
  assignedPartitions: number[];
  restartCount: number;
  consecutiveFailures: number;
  nextRestartAt: string | null;
  lastError: string | null;
  lastFlushAt: string | null;
  recordsPerSec: number;
  recordsFailedPerSec: number;
  lag: number | null;
  partitionLag: Array<{ partition: number; lag: number }> | null;
  cpuPercent: number | null;
  rssBytes: number | null;
  heartbeatAgeSec: number | null;
  live: boolean;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface AuditEntry {
  id: string;
  at: string;
  actor: { name: string; role: string; team: string | null };
  action: string;
  target: { type: string; id: string; name: string };
  versionBefore: number | null;
  versionAfter: number | null;
}
