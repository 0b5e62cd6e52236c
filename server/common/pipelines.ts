/**
 * The pipeline record shared by both services: pipeline-mgmt writes it, pipeline-worker reads it.
 * Rows read back from MariaDB are re-checked here rather than trusted.
 */
export type PipelineStatus = 'running' | 'stopped';

export interface PipelineTopics {
  input: string;
  output: string;
  error: string;
}

export interface FlushOverrides {
  /** Bulk size threshold (MiB); null = server default. */
  mib: number | null;
  /** Bulk record-count threshold; null = server default. */
  items: number | null;
  /** Bulk interval (s); null = server default. */
  intervalSec: number | null;
}

/**
 * Bounds of the bulk flush thresholds, shared by the server defaults (config `server.flush*`) and
 * a pipeline's own overrides (the REST schema), so both accept the same range. Sizes above
 * 100 MiB exceed what OpenSearch accepts in one request by default; an hour is the longest a
 * record should wait in a buffer.
 */
export const FLUSH_BOUNDS = {
  /** Bulk size (MiB): above 0, at most this. */
  maxMiB: 100,
  /** Bulk record count: at least `minItems`, at most `maxItems`. */
  minItems: 1,
  maxItems: 1_000_000,
  /** Bulk interval (s): above 0, at most this. */
  maxIntervalSec: 3600,
} as const;

/** A pipeline's JSON Schema check, run after its processors. */
export interface PipelineSchemaCheck {
  jsonSchema: Record<string, unknown>;
  /** `enforce`: a failing record goes to the error topic; `warn`: it is indexed and counted. */
  mode: 'enforce' | 'warn';
}

/** What a pipeline test expects of its input (see PipelineTest). */
export interface PipelineTestExpectation {
  status: 'indexed' | 'dropped' | 'failed';
  /** A partial match: every field given must be in the document with this value (objects recursively). */
  doc?: Record<string, unknown>;
  /** The target index (after the indexTemplate). */
  index?: string;
  /** The document `_id`. */
  id?: string;
  /** status `failed`: the failure's class (e.g. `invalid_json`, `schema_mismatch`, `convert_failed`). */
  errorType?: string;
}

/**
 * A test stored with the pipeline: one input record and what the pipeline's steps must make of it.
 * Every create and update runs them; one that fails refuses the change (400 `tests_failed`).
 */
export interface PipelineTest {
  name: string;
  /** The record's value: an object (sent as its JSON) or a string (sent as is, e.g. to test a parse failure). */
  input: Record<string, unknown> | string;
  expect: PipelineTestExpectation;
}

export interface Pipeline {
  id: string;
  name: string;
  description: string;
  index: string;
  topics: PipelineTopics;
  partitions: number;
  replicationFactor: number;
  flush: FlushOverrides;
  /** Field of the record whose value becomes the document `_id`; null = `<topic>-<partition>-<offset>`. */
  idField: string | null;
  /** Whether indexed records are also produced to the output topic. */
  outputEnabled: boolean;
  /** The ordered transform chain (each element `{<operation>: {params}}`); empty = none. */
  processors: unknown[];
  /** The target index computed per record (`orders-{tenant}`); null = always `index`. */
  indexTemplate: string | null;
  /** JSON Schema check after the processors; null = none. */
  schema: PipelineSchemaCheck | null;
  /** Tests run on every create and update; empty = none. */
  tests: PipelineTest[];
  status: PipelineStatus;
  version: number;
  team: string | null;
  createdBy: string;
  updatedBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface PipelineRow {
  id: string;
  name: string;
  description: string;
  index_name: string;
  topic_input: string;
  topic_output: string;
  topic_error: string;
  partitions: number;
  replication_factor: number;
  flush_mib: number | null;
  flush_items: number | null;
  flush_interval_sec: number | null;
  id_field: string | null;
  output_enabled: number | boolean;
  /** JSON array text; null = no processors. */
  processors_json?: string | null;
  index_template?: string | null;
  /** JSON `{jsonSchema, mode}`; null = no schema. */
  schema_json?: string | null;
  /** JSON array of PipelineTest; null = no tests. */
  tests_json?: string | null;
  desired_status: string;
  version: number;
  team: string | null;
  created_by: string;
  updated_by: string;
  created_at: Date;
  updated_at: Date;
}

export const PIPELINES_TABLE = 'pipelines';

/** Pipeline names: safe as a Kafka topic part and an OpenSearch-friendly identifier. */
export const PIPELINE_NAME_PATTERN = '^[a-z0-9][a-z0-9_-]{0,99}$';

/** The topics of a pipeline; fixed at creation. */
export function topicNamesFor(name: string): PipelineTopics {
  return { input: `sdp.${name}.input`, output: `sdp.${name}.output`, error: `sdp.${name}.error` };
}

function parseJsonColumn(id: string, column: string, text: string | null | undefined): unknown {
  if (text === null || text === undefined || text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`pipeline ${id}: column ${column} is not valid JSON`);
  }
}

function isStatus(s: string): s is PipelineStatus {
  return s === 'running' || s === 'stopped';
}

function processorsOf(row: PipelineRow): unknown[] {
  const v = parseJsonColumn(row.id, 'processors_json', row.processors_json);
  if (v === null) return [];
  if (!Array.isArray(v)) throw new Error(`pipeline ${row.id}: processors_json is not an array`);
  return v;
}

function testsOf(row: PipelineRow): PipelineTest[] {
  const v = parseJsonColumn(row.id, 'tests_json', row.tests_json);
  if (v === null) return [];
  if (!Array.isArray(v)) throw new Error(`pipeline ${row.id}: tests_json is not an array`);
  return v as PipelineTest[];
}

/** The column text of a pipeline's tests (null = none). */
export const testsColumn = (tests: readonly PipelineTest[]): string | null =>
  tests.length > 0 ? JSON.stringify(tests) : null;

function schemaOf(row: PipelineRow): PipelineSchemaCheck | null {
  const v = parseJsonColumn(row.id, 'schema_json', row.schema_json) as PipelineSchemaCheck | null;
  if (v === null) return null;
  if (typeof v !== 'object' || (v.mode !== 'enforce' && v.mode !== 'warn'))
    throw new Error(`pipeline ${row.id}: schema_json is not {jsonSchema, mode}`);
  return v;
}

export function pipelineFromRow(row: PipelineRow): Pipeline {
  if (!isStatus(row.desired_status))
    throw new Error(`pipeline ${row.id}: unknown status ${row.desired_status}`);
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    index: row.index_name,
    topics: { input: row.topic_input, output: row.topic_output, error: row.topic_error },
    partitions: Number(row.partitions),
    replicationFactor: Number(row.replication_factor),
    flush: {
      mib: row.flush_mib === null ? null : Number(row.flush_mib),
      items: row.flush_items === null ? null : Number(row.flush_items),
      intervalSec: row.flush_interval_sec === null ? null : Number(row.flush_interval_sec),
    },
    idField: row.id_field,
    outputEnabled: Boolean(row.output_enabled),
    processors: processorsOf(row),
    indexTemplate: row.index_template ?? null,
    schema: schemaOf(row),
    tests: testsOf(row),
    status: row.desired_status,
    version: Number(row.version),
    team: row.team,
    createdBy: row.created_by,
    updatedBy: row.updated_by,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

export function pipelineToRow(p: Pipeline): PipelineRow {
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    index_name: p.index,
    topic_input: p.topics.input,
    topic_output: p.topics.output,
    topic_error: p.topics.error,
    partitions: p.partitions,
    replication_factor: p.replicationFactor,
    flush_mib: p.flush.mib,
    flush_items: p.flush.items,
    flush_interval_sec: p.flush.intervalSec,
    id_field: p.idField,
    output_enabled: p.outputEnabled,
    processors_json: p.processors.length > 0 ? JSON.stringify(p.processors) : null,
    index_template: p.indexTemplate,
    schema_json: p.schema ? JSON.stringify(p.schema) : null,
    tests_json: testsColumn(p.tests),
    desired_status: p.status,
    version: p.version,
    team: p.team,
    created_by: p.createdBy,
    updated_by: p.updatedBy,
    created_at: new Date(p.createdAt),
    updated_at: new Date(p.updatedAt),
  };
}

/** The Kafka consumer group every worker of a pipeline joins. */
export function consumerGroupFor(pipelineId: string): string {
  return `sdp.pipeline.${pipelineId}`;
}
