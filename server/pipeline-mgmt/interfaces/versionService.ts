import type { Pipeline } from '../../common/pipelines';
import type { Actor } from './actor';
import type { PipelineVersion, VersionPage } from './pipelineStore';

/** One difference between two versions: a JSON path (`flush.items`, `processors[2].set.value`). */
export interface VersionChange {
  path: string;
  from?: unknown;
  to?: unknown;
}

export interface VersionDiff {
  from: number;
  to: number;
  changes: VersionChange[];
}

/** A pipeline's history: every version, what changed between two, and going back to one. */
export interface VersionService {
  list(pipelineId: string, query: { limit: number; before?: number }, actor: Actor): Promise<VersionPage>;
  get(pipelineId: string, version: number, actor: Actor): Promise<PipelineVersion>;
  diff(pipelineId: string, from: number, to: number, actor: Actor): Promise<VersionDiff>;
  /** A new version whose settings are those of `version` (the status stays); audited like an update. */
  rollback(
    pipelineId: string,
    version: number,
    actor: Actor,
  ): Promise<{ pipeline: Pipeline; changed: boolean }>;
}
