import type { PipelineSchemaCheck } from '../../common/pipelines';
import type { Actor } from './actor';
import type { IndexDefinition } from './indexAdmin';

/** One record to simulate: its value, an object (sent as its JSON) or a string (sent as is). */
export type SimulationInput = Record<string, unknown> | string;

/** What one processor did to a record. */
export interface StepTrace {
  /** Position in `processors` (0-based). */
  processor: number;
  op: string;
  /** It changed the document (or split it). */
  changed: boolean;
  /** It dropped the document. */
  dropped?: boolean;
  /** It failed (then `onFailure` decided: error, skip or drop). */
  failed?: boolean;
}

/** A document a record became: where it would be indexed, under which `_id`. */
export interface SimulatedDocument {
  index: string;
  id: string;
  doc: Record<string, unknown>;
}

/** What a record would become: indexed (where, as what), dropped by a processor, or failed (why). */
export interface SimulatedRecord {
  status: 'indexed' | 'dropped' | 'failed';
  index?: string;
  id?: string;
  doc?: Record<string, unknown>;
  /** After a `split`: every document (the first is also `index` / `id` / `doc`). */
  documents?: SimulatedDocument[];
  steps: StepTrace[];
  error?: {
    /** `parse`, `transform`, `schema`, or `index` (what the target index's mapping refuses). */
    stage: string;
    errorType: string;
    reason: string;
    detail?: unknown;
  };
}

/** The settings a simulation may try instead of the pipeline's own. */
export interface SimulationOverrides {
  processors?: unknown[];
  indexTemplate?: string | null;
  schema?: PipelineSchemaCheck | null;
  idField?: string | null;
}

/** A pipeline that does not exist yet, as a create body gives it (the fields a simulation reads). */
export interface ProposedPipeline extends SimulationOverrides {
  name?: string;
  index: string;
  createIndex?: IndexDefinition;
}

export interface SimulateService {
  /** Records through an existing pipeline's steps (or the overrides), checked against the live mappings. */
  simulate(
    id: string,
    records: readonly SimulationInput[],
    overrides: SimulationOverrides,
    actor: Actor,
  ): Promise<SimulatedRecord[]>;
  /** The same for a pipeline not created yet. */
  simulateNew(
    pipeline: ProposedPipeline,
    records: readonly SimulationInput[],
    actor: Actor,
  ): Promise<SimulatedRecord[]>;
}
