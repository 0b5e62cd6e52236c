import { Static, Type } from '@sinclair/typebox';
import { FLUSH_BOUNDS, PIPELINE_NAME_PATTERN } from '../../common/pipelines';
import { ObservedStatusSchema, PartitionLagSchema } from './observedSchemas';
import { ReplaySchema } from './replaySchemas';
import { Nullable, StringEnum, TeamSchema } from './schemaKit';
import { PipelineTests, SimulatedRecords, SimulationOverrideFields } from './simulateSchemas';

/**
 * Every request and response body of pipeline-mgmt. The router validates with these schemas and
 * /openapi.json is generated from them: there is no second copy.
 */

export * from './tokenSchemas';
export * from './ingestSchemas';
export * from './offsetSchemas';
export * from './errorSchemas';
export * from './replaySchemas';
export * from './versionSchemas';
export * from './simulateSchemas';
export * from './observedSchemas';

/** OpenSearch index names: lowercase; none of \ / * ? " < > | space , # :; not starting with - _ + or .; not . or ..; at most 255 bytes. */
export const INDEX_NAME_PATTERN = '^(?![-_+.])[^A-Z\\\\/*?"<>| ,#:\\u0000-\\u001F]+$';
export const INDEX_NAME_FORMAT = 'opensearch-index';

export const PipelineStatusSchema = StringEnum(['running', 'stopped'] as const, {
  description: 'desired status; workers run only `running` pipelines',
});

export const PipelineNameSchema = Type.String({
  pattern: PIPELINE_NAME_PATTERN,
  description:
    'lowercase letters, digits, `_` and `-`, starting with a letter or digit, at most 100; fixed at creation',
});

export const IndexNameSchema = Type.String({
  minLength: 1,
  maxLength: 255,
  pattern: INDEX_NAME_PATTERN,
  format: INDEX_NAME_FORMAT,
  description:
    'target OpenSearch index: lowercase, none of \\ / * ? " < > | space , # :, not starting with - _ + or . , at most 255 bytes',
});

const FlushMiB = Type.Number({
  exclusiveMinimum: 0,
  maximum: FLUSH_BOUNDS.maxMiB,
  description: 'flush a bulk request at this size (MiB)',
});
const FlushItems = Type.Integer({
  minimum: FLUSH_BOUNDS.minItems,
  maximum: FLUSH_BOUNDS.maxItems,
  description: 'flush at this many records',
});
const FlushInterval = Type.Number({
  exclusiveMinimum: 0,
  maximum: FLUSH_BOUNDS.maxIntervalSec,
  description: 'flush after this many seconds',
});

export const FlushSchema = Type.Object(
  { mib: Nullable(FlushMiB), items: Nullable(FlushItems), intervalSec: Nullable(FlushInterval) },
  { additionalProperties: false, description: 'bulk flush thresholds; null = the server default' },
);

export const FlushInputSchema = Type.Partial(FlushSchema, {
  additionalProperties: false,
  description: 'bulk flush thresholds; a missing or null key = the server default',
});

const Description = Type.String({ maxLength: 1000, description: 'free text' });
const IdField = Nullable(
  Type.String({
    minLength: 1,
    maxLength: 255,
    pattern: '^[^\\u0000-\\u001F]+$',
    description: 'record field whose value becomes the document _id; null = <topic>-<partition>-<offset>',
  }),
);
const OutputEnabled = Type.Boolean({ description: 'also produce indexed records to the output topic' });
const Partitions = Type.Integer({
  minimum: 1,
  maximum: 1000,
  description: 'partitions of each topic; fixed at creation',
});
const ReplicationFactor = Type.Integer({
  minimum: 1,
  maximum: 10,
  description: 'replication factor of each topic',
});

/**
 * Loose on purpose: the processors compiler checks every operation and parameter and answers
 * `invalid_processors` / `invalid_schema` with the exact path (`processors[3].convert.type`).
 */
const Processors = Type.Array(
  Type.Unknown({ description: 'one operation: `{"<operation>": {parameters, if?, onFailure?}}`' }),
  { description: 'ordered transform chain (at most 64); see the README processors reference' },
);
const IndexTemplate = Nullable(
  Type.String({
    description:
      'target index per record, e.g. `orders-{tenant}` or `logs-{service.name}-{@timestamp:yyyy.MM.dd}`; lower-cased; unresolved = `index`',
  }),
);
const SchemaCheck = Nullable(
  Type.Unknown({
    description:
      '`{"jsonSchema": {...}, "mode": "enforce" | "warn"}`, checked after the processors (schema at most 64 KiB)',
  }),
);

export const TopicsSchema = Type.Object(
  { input: Type.String(), output: Type.String(), error: Type.String() },
  { additionalProperties: false },
);

export const CreateIndexSchema = Type.Object(
  {
    settings: Type.Optional(Type.Object({}, { additionalProperties: true })),
    mappings: Type.Optional(Type.Object({}, { additionalProperties: true })),
  },
  {
    additionalProperties: false,
    description:
      'create the index with these settings and mappings when it does not exist (deleted again if the create fails)',
  },
);

export const CreatePipelineBody = Type.Object(
  {
    name: PipelineNameSchema,
    index: IndexNameSchema,
    description: Type.Optional(Description),
    partitions: Type.Optional(Partitions),
    replicationFactor: Type.Optional(ReplicationFactor),
    flush: Type.Optional(FlushInputSchema),
    idField: Type.Optional(IdField),
    outputEnabled: Type.Optional(OutputEnabled),
    processors: Type.Optional(Processors),
    indexTemplate: Type.Optional(IndexTemplate),
    schema: Type.Optional(SchemaCheck),
    tests: Type.Optional(PipelineTests),
    status: Type.Optional(PipelineStatusSchema),
    createIndex: Type.Optional(CreateIndexSchema),
    team: Type.Optional(
      Nullable({
        ...TeamSchema,
        description:
          "owning team; default the caller's. Editors may name only their own, admins any (or null: admins only)",
      }),
    ),
  },
  { additionalProperties: false },
);

/** POST /api/v1/pipelines/{id}/simulate: records, and optionally settings to try instead of the pipeline's. */
export const SimulatePipelineBody = Type.Object(
  { records: SimulatedRecords, ...SimulationOverrideFields },
  { additionalProperties: false },
);

/** POST /api/v1/simulate: a pipeline body as a create takes it (the name optional), and records. */
export const SimulateNewBody = Type.Object(
  {
    pipeline: Type.Object(
      { ...CreatePipelineBody.properties, name: Type.Optional(PipelineNameSchema) },
      { additionalProperties: false },
    ),
    records: SimulatedRecords,
  },
  { additionalProperties: false },
);

/** Read-only fields an update may repeat unchanged (e.g. a GET body sent back). */
const EchoFields = {
  id: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
  topics: Type.Optional(TopicsSchema),
  partitions: Type.Optional(Type.Integer()),
  replicationFactor: Type.Optional(Type.Integer()),
  status: Type.Optional(PipelineStatusSchema),
  version: Type.Optional(Type.Integer()),
  team: Type.Optional(Nullable(Type.String())),
  createdBy: Type.Optional(Type.String()),
  createdAt: Type.Optional(Type.String()),
  updatedBy: Type.Optional(Type.String()),
  updatedAt: Type.Optional(Type.String()),
  observed: Type.Optional(Type.Unknown({ description: 'read-only; ignored' })),
};

export const ReplacePipelineBody = Type.Object(
  {
    index: IndexNameSchema,
    description: Type.Optional(Description),
    flush: Type.Optional(FlushInputSchema),
    idField: Type.Optional(IdField),
    outputEnabled: Type.Optional(OutputEnabled),
    processors: Type.Optional(Processors),
    indexTemplate: Type.Optional(IndexTemplate),
    schema: Type.Optional(SchemaCheck),
    tests: Type.Optional(PipelineTests),
    ...EchoFields,
  },
  {
    additionalProperties: false,
    description:
      'all mutable fields; a missing optional one returns to its default. Read-only fields may be repeated unchanged.',
  },
);

export const PatchPipelineBody = Type.Object(
  {
    index: Type.Optional(IndexNameSchema),
    description: Type.Optional(Description),
    flush: Type.Optional(FlushInputSchema),
    idField: Type.Optional(IdField),
    outputEnabled: Type.Optional(OutputEnabled),
    processors: Type.Optional(Processors),
    indexTemplate: Type.Optional(IndexTemplate),
    schema: Type.Optional(SchemaCheck),
    tests: Type.Optional(PipelineTests),
    ...EchoFields,
  },
  { additionalProperties: false, description: 'the fields to change; `flush` is merged key by key' },
);

export const StatusBody = Type.Object({ status: PipelineStatusSchema }, { additionalProperties: false });

export const PipelineSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    name: Type.String(),
    description: Type.String(),
    index: Type.String(),
    topics: TopicsSchema,
    partitions: Type.Integer(),
    replicationFactor: Type.Integer(),
    flush: FlushSchema,
    idField: Nullable(Type.String()),
    outputEnabled: Type.Boolean(),
    processors: Type.Array(Type.Unknown()),
    indexTemplate: Nullable(Type.String()),
    schema: Nullable(
      Type.Object(
        {
          jsonSchema: Type.Object({}, { additionalProperties: true }),
          mode: StringEnum(['enforce', 'warn'] as const),
        },
        { additionalProperties: false },
      ),
    ),
    tests: PipelineTests,
    status: PipelineStatusSchema,
    version: Type.Integer({ description: 'bumped by every change; the ETag' }),
    team: Nullable(Type.String()),
    createdBy: Type.String(),
    updatedBy: Type.String(),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);

/** A pipeline as GET shows it: the record and its observed status. */
export const PipelineViewSchema = Type.Object(
  { ...PipelineSchema.properties, observed: ObservedStatusSchema },
  { additionalProperties: false },
);

export const PipelineListSchema = Type.Object({
  items: Type.Array(PipelineViewSchema),
  nextCursor: Nullable(
    Type.String({ description: 'pass as `cursor` for the next page; null on the last page' }),
  ),
});

export const ListQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50, description: 'page size' }),
    cursor: Type.Optional(Type.String({ maxLength: 200, description: 'opaque, from `nextCursor`' })),
    status: Type.Optional(PipelineStatusSchema),
    name: Type.Optional(
      Type.String({ minLength: 1, maxLength: 100, description: 'names starting with this' }),
    ),
    team: Type.Optional({ ...TeamSchema, description: "only this team's pipelines" }),
  },
  { additionalProperties: false },
);

export const DeleteQuery = Type.Object(
  { force: Type.Boolean({ default: false, description: 'stop a running pipeline and delete it' }) },
  { additionalProperties: false },
);

export const TaskStatusSchema = Type.Object({
  workerId: Type.String(),
  host: Nullable(Type.String()),
  state: Type.String(),
  assignedPartitions: Type.Array(Type.Integer()),
  restartCount: Type.Integer(),
  consecutiveFailures: Type.Integer(),
  nextRestartAt: Nullable(Type.String({ format: 'date-time' })),
  lastError: Nullable(Type.String()),
  lastFlushAt: Nullable(Type.String({ format: 'date-time' })),
  recordsIndexed: Type.Integer(),
  recordsFailed: Type.Integer(),
  recordsPerSec: Type.Number({ description: 'records indexed per second over the last minute' }),
  recordsFailedPerSec: Type.Number({ description: 'records failed per second over the last minute' }),
  lag: Nullable(Type.Integer()),
  partitionLag: PartitionLagSchema,
  lagGrowthPerMin: Nullable(
    Type.Number({ description: 'change of the lag per minute over the last minute' }),
  ),
  pipelineVersion: Type.Integer(),
  cpuPercent: Nullable(Type.Number()),
  rssBytes: Nullable(Type.Integer()),
  heartbeatAgeSec: Nullable(Type.Number({ description: "seconds since the worker's last heartbeat" })),
  live: Type.Boolean({ description: 'the heartbeat is within server.workerHeartbeatTimeoutSec' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

export const TaskListSchema = Type.Object({
  items: Type.Array(TaskStatusSchema),
  replays: Type.Optional(
    Type.Array(ReplaySchema, {
      description: "the pipeline's running replays and the worker performing each",
    }),
  ),
});

export const ErrorBodySchema = Type.Object({
  code: Type.String({ description: 'stable, machine-readable' }),
  message: Type.String(),
  details: Type.Optional(Type.Unknown()),
  requestId: Type.Optional(Type.String()),
});

export const HealthSchema = Type.Object({
  status: Type.Literal('ok'),
  service: Type.String(),
  version: Type.String(),
  language: Type.String(),
  runtime: Type.String(),
  runtimeVersion: Type.String(),
  arch: Type.String(),
  platform: Type.String(),
});

export const ReadinessSchema = Type.Object({
  ready: Type.Boolean(),
  checks: Type.Record(
    Type.String(),
    Type.Object({ ok: Type.Boolean(), error: Type.Optional(Type.String()), ms: Type.Number() }),
  ),
  code: Type.Optional(Type.String()),
  message: Type.Optional(Type.String()),
  failed: Type.Optional(Type.Array(Type.String())),
});

export type CreatePipelineBodyT = Static<typeof CreatePipelineBody>;
export type ReplacePipelineBodyT = Static<typeof ReplacePipelineBody>;
export type PatchPipelineBodyT = Static<typeof PatchPipelineBody>;
export type ListQueryT = Static<typeof ListQuery>;
