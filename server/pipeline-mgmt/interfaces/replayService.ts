import type { Replay, ReplayFilter, ReplayStatus } from '../../common/replays';
import type { Actor } from './actor';

export interface ReplayRequest {
  filter: ReplayFilter;
  dryRun: boolean;
  maxRecords?: number;
  ratePerSec?: number;
}

export interface ReplayListQuery {
  limit: number;
  cursor?: string;
  status?: ReplayStatus;
}

/** Replays of a pipeline's failed records: started, read and cancelled here, performed by a worker. */
export interface ReplayService {
  create(pipelineId: string, request: ReplayRequest, actor: Actor): Promise<Replay>;
  list(
    pipelineId: string,
    query: ReplayListQuery,
    actor: Actor,
  ): Promise<{ items: Replay[]; nextCursor: string | null }>;
  get(pipelineId: string, replayId: string, actor: Actor): Promise<Replay>;
  cancel(pipelineId: string, replayId: string, actor: Actor): Promise<Replay>;
}
