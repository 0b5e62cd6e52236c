import type { Replay, ReplayStatus } from '../../common/replays';

/** A replay as pipeline-mgmt creates it (status `running`, nothing done yet). */
export interface NewReplay {
  id: string;
  pipelineId: string;
  filter: Replay['filter'];
  options: Replay['options'];
  startOffsets: Replay['startOffsets'];
  endOffsets: Replay['endOffsets'];
  createdBy: string;
  createdAt: Date;
}

/** The replays table as pipeline-mgmt uses it (workers claim and update rows: pipeline-worker's ReplayStore). */
export interface ReplayRecords {
  insert(r: NewReplay): Promise<Replay>;
  get(pipelineId: string, id: string): Promise<Replay | null>;
  /** A pipeline's replays, oldest first, after a (created_at, id) position. */
  list(
    pipelineId: string,
    q: { limit: number; after?: { createdAt: string; id: string }; status?: ReplayStatus },
  ): Promise<{ items: Replay[]; next?: { createdAt: string; id: string } }>;
  /** Marks a running replay cancelled (its worker stops at its next batch); false when it was not running. */
  cancel(pipelineId: string, id: string, reason: string, at: Date): Promise<boolean>;
}
