import type {
  FlushOverrides,
  Pipeline,
  PipelineSchemaCheck,
  PipelineStatus,
  PipelineTest,
} from '../../common/pipelines';
import type { AuditDraft } from './auditLog';

/** Where a record is in its own life; `creating` rows are never shown and never `running`. */
export type Lifecycle = 'creating' | 'ready' | 'deleting';

export interface StoredPipeline {
  pipeline: Pipeline;
  lifecycle: Lifecycle;
  /** Whether the index was created by the request that created this pipeline. */
  indexCreated: boolean;
}

/** The fields an update may change. */
export interface MutableFields {
  description: string;
  index: string;
  flush: FlushOverrides;
  idField: string | null;
  outputEnabled: boolean;
  processors: unknown[];
  indexTemplate: string | null;
  schema: PipelineSchemaCheck | null;
  tests: PipelineTest[];
}

export interface PipelineChange {
  fields?: Partial<MutableFields>;
  status?: PipelineStatus;
  lifecycle?: Lifecycle;
  updatedBy: string;
  updatedAt: Date;
  /** Written with the change, in the same transaction (version before and after filled in). */
  audit?: AuditDraft;
}

export interface ListQuery {
  limit: number;
  /** Opaque position returned as `nextCursor` by the previous page. */
  after?: { createdAt: string; id: string };
  status?: PipelineStatus;
  /** Names starting with this. */
  namePrefix?: string;
  /** Only pipelines of this team. */
  team?: string;
}

export interface ListPage {
  items: Pipeline[];
  /** Position after the last item, or undefined on the last page. */
  next?: { createdAt: string; id: string };
}

export type ReserveResult =
  | { result: 'reserved' }
  /** `existing`: the record holding the name, as read right after the refused insert (gone meanwhile: absent). */
  | { result: 'taken'; existing?: StoredPipeline };

/** `taken_over`: the reservation is no longer ours (an abandoned-create cleanup removed it); nothing was written. */
export type ActivateResult = { result: 'activated'; pipeline: Pipeline } | { result: 'taken_over' };

/** One version of a pipeline: the whole pipeline as it was after a change. */
export interface PipelineVersion {
  version: number;
  at: string;
  /** Who made the change (the token's name). */
  by: string;
  /** The change that made it (`pipeline.create`, `pipeline.update`, `pipeline.status`). */
  action: string;
  pipeline: Pipeline;
}

export interface VersionPage {
  items: PipelineVersion[];
  /** Pass as `before` for the next (older) page; undefined on the last page. */
  next?: number;
}

export type UpdateResult =
  { result: 'updated'; pipeline: Pipeline } | { result: 'stale' } | { result: 'gone' };

/** The pipeline records (MariaDB in production). */
export interface PipelineStore {
  /** Inserts the record in `creating`, status `stopped`; the unique name decides races. */
  reserve(record: Pipeline, options: { indexCreated: boolean }): Promise<ReserveResult>;
  /** Remembers that the creating request made the index, so an abandoned create can be undone. */
  markIndexCreated(id: string): Promise<void>;
  /** Ends creation: `ready`, with the requested status; the audit entry is written with it. */
  activate(id: string, status: PipelineStatus, at: Date, audit: AuditDraft): Promise<ActivateResult>;
  /** Removes a record still in `creating` (undo of a reservation). */
  removeReservation(id: string): Promise<void>;
  get(id: string): Promise<StoredPipeline | undefined>;
  getByName(name: string): Promise<StoredPipeline | undefined>;
  list(query: ListQuery): Promise<ListPage>;
  /** Compare-and-set on `version`; every successful change bumps it by one. */
  update(id: string, expectedVersion: number, change: PipelineChange): Promise<UpdateResult>;
  /** Versions of a pipeline, newest first; `before`: only versions older than this one. */
  listVersions(id: string, query: { limit: number; before?: number }): Promise<VersionPage>;
  getVersion(id: string, version: number): Promise<PipelineVersion | undefined>;
  /** Deletes the record and its task rows, and writes the audit entry, in one transaction. */
  remove(id: string, audit: AuditDraft): Promise<void>;
}
