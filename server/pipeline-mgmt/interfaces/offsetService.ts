import type { Actor } from './actor';
import type { OffsetTarget, PartitionOffsets } from './offsetAdmin';

/** GET /api/v1/pipelines/{id}/offsets: each partition with its lag (log end minus committed). */
export interface PipelineOffsets {
  groupId: string;
  topic: string;
  partitions: Array<PartitionOffsets & { lag: number | null }>;
}

/** Reading and moving where a pipeline's workers resume in its input topic. */
export interface OffsetService {
  get(pipelineId: string, actor: Actor): Promise<PipelineOffsets>;
  /** Only on a stopped pipeline whose workers have left its group; audited. Returns the new offsets. */
  move(pipelineId: string, target: OffsetTarget, actor: Actor): Promise<PipelineOffsets>;
}
