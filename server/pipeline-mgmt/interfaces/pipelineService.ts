import type {
  FlushOverrides,
  Pipeline,
  PipelineSchemaCheck,
  PipelineStatus,
  PipelineTest,
  PipelineTopics,
} from '../../common/pipelines';
import type { Actor } from './actor';
import type { IndexDefinition } from './indexAdmin';
import type { ObservedState, ObservedStatus } from './observed';
import type { MutableFields } from './pipelineStore';
import type { TaskStatus } from './taskStatusReader';

export type { Actor } from './actor';

/** An `If-Match` precondition: `*` (any existing version) or a list of versions. */
export type VersionPrecondition = { kind: 'any' } | { kind: 'versions'; versions: number[] };

export interface CreatePipelineInput {
  name: string;
  index: string;
  description?: string;
  partitions?: number;
  replicationFactor?: number;
  flush?: Partial<FlushOverrides>;
  idField?: string | null;
  outputEnabled?: boolean;
  processors?: unknown[];
  indexTemplate?: string | null;
  schema?: PipelineSchemaCheck | null;
  tests?: PipelineTest[];
  status?: PipelineStatus;
  /** Create the index with this definition when it does not exist. */
  createIndex?: IndexDefinition;
  /** Owning team; only admins may name one other than their own. Default: the caller's team. */
  team?: string | null;
}

/** Fields that cannot be changed; an update may repeat them (e.g. a GET body sent back) if unchanged. */
export interface ImmutableEcho {
  id?: string;
  name?: string;
  topics?: PipelineTopics;
  partitions?: number;
  replicationFactor?: number;
  status?: PipelineStatus;
  version?: number;
  team?: string | null;
  createdBy?: string;
  createdAt?: string;
  updatedBy?: string;
  updatedAt?: string;
}

export type PatchFields = Partial<Omit<MutableFields, 'flush'>> & { flush?: Partial<FlushOverrides> };

/**
 * What a PUT sends: the index, and any other mutable field; one left out returns to its default
 * (the same defaults a create applies).
 */
export type ReplaceFields = PatchFields & { index: string };

export interface UpdateOptions {
  actor: Actor;
  precondition?: VersionPrecondition;
}

export interface PipelineListRequest {
  limit: number;
  cursor?: string;
  status?: PipelineStatus;
  namePrefix?: string;
  /** Only this team's pipelines (on top of what the caller may see). */
  team?: string;
}

export interface PipelineList {
  items: Pipeline[];
  nextCursor: string | null;
}

/** A pipeline as GET shows it: the record and its observed status. */
export type PipelineView = Pipeline & { observed: ObservedStatus };

export interface PipelineViewList {
  items: PipelineView[];
  nextCursor: string | null;
}

/** A task as GET /tasks shows it: the worker's report, and whether the worker still sends heartbeats. */
export type TaskView = TaskStatus & { live: boolean };

/** Pipelines by desired and by observed status (pipeline-mgmt's /metrics). */
export interface PipelineCounts {
  desired: Record<PipelineStatus, number>;
  observed: Record<ObservedState, number>;
}

/**
 * The control plane's operations (the original design's PipelineMgmtService). Every call names the
 * actor: a pipeline of another team is not found, exactly like a missing one.
 */
export interface PipelineService {
  createPipeline(input: CreatePipelineInput, actor: Actor): Promise<Pipeline>;
  getPipeline(id: string, actor: Actor): Promise<Pipeline>;
  listPipelines(request: PipelineListRequest, actor: Actor): Promise<PipelineList>;
  /** GET one: the pipeline the caller may see, with its observed status. */
  getPipelineView(id: string, actor: Actor): Promise<PipelineView>;
  /** GET list: a page of the pipelines the caller may see, each with its observed status. */
  listPipelineViews(request: PipelineListRequest, actor: Actor): Promise<PipelineViewList>;
  /** PUT: replaces every mutable field (absent optional ones return to their defaults). */
  replacePipeline(
    id: string,
    fields: ReplaceFields,
    echo: ImmutableEcho,
    options: UpdateOptions,
  ): Promise<Pipeline>;
  /** PATCH: changes only the given fields; `flush` is merged key by key. */
  patchPipeline(
    id: string,
    fields: PatchFields,
    echo: ImmutableEcho,
    options: UpdateOptions,
  ): Promise<Pipeline>;
  /** Always bumps `version`, even when the status does not change (workers restart failed tasks on it). */
  updatePipelineStatus(id: string, status: PipelineStatus, options: UpdateOptions): Promise<Pipeline>;
  deletePipeline(id: string, options: UpdateOptions & { force: boolean }): Promise<void>;
  listTasks(id: string, actor: Actor): Promise<TaskView[]>;
  /** The pipeline a caller posts records to (producers, editors, admins of its team; else 403 / 404). */
  pipelineForIngest(id: string, actor: Actor): Promise<Pipeline>;
  /** Every pipeline counted by status: for operators' metrics, not for API callers. */
  pipelineCounts(): Promise<PipelineCounts>;
}
