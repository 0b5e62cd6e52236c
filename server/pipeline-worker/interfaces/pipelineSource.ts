import type { Pipeline } from '../../common/pipelines';

/** Where a worker learns which pipelines exist and what they want. */
export interface PipelineSource {
  /** Every pipeline that is ready (not being created or deleted), running or stopped. */
  listActive(): Promise<Pipeline[]>;
}
