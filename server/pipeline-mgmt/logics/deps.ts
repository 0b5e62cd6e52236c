import type { Logger } from '../../common/logger';
import type { IndexAdmin } from '../interfaces/indexAdmin';
import type { ObservedSettings } from '../interfaces/observed';
import type { PipelineStore } from '../interfaces/pipelineStore';
import type { TaskStatusReader } from '../interfaces/taskStatusReader';
import type { TopicAdmin } from '../interfaces/topicAdmin';

export interface PipelineServiceDeps {
  store: PipelineStore;
  topics: TopicAdmin;
  indices: IndexAdmin;
  tasks: TaskStatusReader;
  logger: Logger;
  /** Used when a create request leaves partitions / replication factor out. */
  defaults: { partitions: number; replicationFactor: number };
  /** New pipeline ids (default: random UUIDs). */
  newId?: () => string;
  /** Clock (default: `new Date()`). */
  now?: () => Date;
  /**
   * A record still `creating` after this long (ms) belongs to a create that died half-way; the
   * next create of that name cleans it up and takes the name. Default `ABANDONED_CREATE_AFTER_MS`.
   */
  abandonedCreateAfterMs?: number;
  /** How long delete waits for a consumer group to empty before leaving it to expire (ms). Default `GROUP_DELETE_WAIT_MS`. */
  groupDeleteWaitMs?: number;
  /** Thresholds of the observed status: from the config (server.workerHeartbeatTimeoutSec, server.degraded*). */
  observed: ObservedSettings;
}

export type ResolvedDeps = Required<PipelineServiceDeps>;
