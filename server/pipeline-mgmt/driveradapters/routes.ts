import { TSchema, Type } from '@sinclair/typebox';
import type { Role } from '../interfaces/actor';
import {
  AuditListSchema,
  AuditQuery,
  CreatePipelineBody,
  CreateTokenBody,
  DeleteQuery,
  ErrorPageSchema,
  ErrorsQuery,
  CreateReplayBody,
  ReplayListQuery,
  ReplayListSchema,
  ReplaySchema,
  DiffQuery,
  HealthSchema,
  RollbackSchema,
  SimulateNewBody,
  SimulatePipelineBody,
  SimulationResultsSchema,
  VersionDiffSchema,
  VersionListQuery,
  VersionListSchema,
  VersionSchemaOut,
  IngestAcceptedSchema,
  IngestQuery,
  IngestResultsSchema,
  MoveOffsetsBody,
  PipelineOffsetsSchema,
  ListQuery,
  PatchPipelineBody,
  PipelineListSchema,
  PipelineSchema,
  PipelineViewSchema,
  ReadinessSchema,
  ReplacePipelineBody,
  MintedTokenSchema,
  StatusBody,
  TaskListSchema,
  TokenListQuery,
  TokenListSchema,
} from './schemas';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * Who may call a route: anyone, a bearer token with at least this role, or (`ingest`) a producer,
 * editor or admin token (team rules come on top, in logics/access.ts).
 */
export type Access = 'public' | Role | 'ingest';

export interface RouteSpec {
  method: Method;
  /** Express path syntax (`:id`). */
  path: string;
  summary: string;
  access: Access;
  body?: TSchema;
  query?: TSchema;
  /** Whether the route reads / honours If-Match and answers with an ETag. */
  versioned?: boolean;
  success: { status: number; description: string; schema?: TSchema };
  /** Other success answers of the route (a different status, another body). */
  moreSuccess?: Array<{ status: number; description: string; schema: TSchema }>;
  /** A body the route reads itself (not JSON-validated): its media types. */
  rawBody?: { mediaTypes: string[]; description: string };
  /** Error statuses this route can answer with (besides 500, and the 401 / 403 / 429 its access implies). */
  errors: number[];
}

const PIPELINE_ID = '/api/v1/pipelines/:id';

/**
 * The REST surface in one table: the routers validate and check access from it and /openapi.json
 * is generated from it, so they cannot drift apart. (/metrics is served by the app's metrics hook,
 * see app.ts; server.metricsRequireAuth decides whether it needs a token.)
 */
export const ROUTES = {
  createPipeline: {
    method: 'post',
    path: '/api/v1/pipelines',
    access: 'editor',
    summary: 'Create a pipeline: check (or create) the index, create its topics, store it',
    body: CreatePipelineBody,
    versioned: true,
    success: { status: 201, description: 'created', schema: PipelineSchema },
    errors: [400, 409, 413, 415, 503],
  },
  listPipelines: {
    method: 'get',
    path: '/api/v1/pipelines',
    access: 'viewer',
    summary: 'List pipelines, oldest first, a page at a time, each with its observed status',
    query: ListQuery,
    success: { status: 200, description: 'a page', schema: PipelineListSchema },
    errors: [400, 503],
  },
  getPipeline: {
    method: 'get',
    path: PIPELINE_ID,
    access: 'viewer',
    summary: 'Get a pipeline and its observed status',
    versioned: true,
    success: { status: 200, description: 'the pipeline', schema: PipelineViewSchema },
    errors: [404, 503],
  },
  replacePipeline: {
    method: 'put',
    path: PIPELINE_ID,
    access: 'editor',
    summary: 'Replace the mutable fields of a pipeline',
    body: ReplacePipelineBody,
    versioned: true,
    success: { status: 200, description: 'updated', schema: PipelineSchema },
    errors: [400, 404, 409, 412, 413, 415, 503],
  },
  patchPipeline: {
    method: 'patch',
    path: PIPELINE_ID,
    access: 'editor',
    summary: 'Change some mutable fields of a pipeline',
    body: PatchPipelineBody,
    versioned: true,
    success: { status: 200, description: 'updated', schema: PipelineSchema },
    errors: [400, 404, 409, 412, 413, 415, 503],
  },
  deletePipeline: {
    method: 'delete',
    path: PIPELINE_ID,
    access: 'editor',
    summary:
      'Delete a stopped pipeline (or a running one with force=true): topics, consumer group, tasks, record',
    query: DeleteQuery,
    versioned: true,
    success: { status: 204, description: 'deleted' },
    errors: [400, 404, 409, 412, 503],
  },
  ingestRecords: {
    method: 'post',
    path: `${PIPELINE_ID}/records`,
    access: 'ingest',
    summary:
      "Post records (application/json: an object or an array; application/x-ndjson; gzip allowed) to the input topic; with wait=indexed, answer with each record's outcome",
    query: IngestQuery,
    rawBody: {
      mediaTypes: ['application/json', 'application/x-ndjson'],
      description:
        'one JSON object or an array of records, or one record per line (NDJSON); Content-Encoding gzip or deflate allowed',
    },
    success: {
      status: 202,
      description:
        'accepted: Kafka has every record; with wait=indexed, the outcomes so far (some still pending at the timeout)',
      schema: Type.Union([IngestAcceptedSchema, IngestResultsSchema]),
    },
    moreSuccess: [
      {
        status: 200,
        description: 'wait=indexed: every record indexed or failed',
        schema: IngestResultsSchema,
      },
    ],
    errors: [400, 404, 409, 413, 415, 503],
  },
  listVersions: {
    method: 'get',
    path: `${PIPELINE_ID}/versions`,
    access: 'viewer',
    summary: 'Every version of the pipeline (one per change), newest first, paged',
    query: VersionListQuery,
    success: { status: 200, description: 'a page', schema: VersionListSchema },
    errors: [400, 404, 503],
  },
  getVersion: {
    method: 'get',
    path: `${PIPELINE_ID}/versions/:version`,
    access: 'viewer',
    summary: 'One version: the whole pipeline as it was',
    success: { status: 200, description: 'the version', schema: VersionSchemaOut },
    errors: [404, 503],
  },
  diffVersions: {
    method: 'get',
    path: `${PIPELINE_ID}/versions/:version/diff`,
    access: 'viewer',
    summary: 'What changed from this version to another, field by field (processors included)',
    query: DiffQuery,
    success: { status: 200, description: 'the differences', schema: VersionDiffSchema },
    errors: [400, 404, 503],
  },
  rollbackVersion: {
    method: 'post',
    path: `${PIPELINE_ID}/versions/:version/rollback`,
    access: 'editor',
    summary:
      "A new version with this version's settings (the status stays); checked and audited like an update",
    success: { status: 200, description: 'rolled back', schema: RollbackSchema },
    errors: [400, 404, 409, 412, 503],
  },
  simulatePipeline: {
    method: 'post',
    path: `${PIPELINE_ID}/simulate`,
    access: 'viewer',
    summary:
      "What records would become through the pipeline's steps (or processors / indexTemplate / schema / idField to try), each checked against the live target mapping; nothing is written",
    body: SimulatePipelineBody,
    success: { status: 200, description: 'one result per record', schema: SimulationResultsSchema },
    errors: [400, 404, 413, 415, 503],
  },
  simulateNew: {
    method: 'post',
    path: '/api/v1/simulate',
    access: 'editor',
    summary:
      'The same simulation for a pipeline that does not exist yet (a create body; its createIndex mappings are used when the index does not exist)',
    body: SimulateNewBody,
    success: { status: 200, description: 'one result per record', schema: SimulationResultsSchema },
    errors: [400, 413, 415, 503],
  },
  listErrors: {
    method: 'get',
    path: `${PIPELINE_ID}/errors`,
    access: 'viewer',
    summary:
      "The pipeline's failed records from its error topic, newest first, paged; filtered by stage, reason, since, until",
    query: ErrorsQuery,
    success: { status: 200, description: 'a page', schema: ErrorPageSchema },
    errors: [400, 404, 503],
  },
  createReplay: {
    method: 'post',
    path: `${PIPELINE_ID}/replays`,
    access: 'editor',
    summary:
      "Replay failed records (filtered by stage, reason, time, a CEL condition) through the pipeline's current configuration, under their original _id; a worker performs it",
    body: CreateReplayBody,
    success: { status: 202, description: 'started: a worker picks it up', schema: ReplaySchema },
    errors: [400, 404, 413, 415, 503],
  },
  listReplays: {
    method: 'get',
    path: `${PIPELINE_ID}/replays`,
    access: 'viewer',
    summary: "The pipeline's replays, oldest first, paged",
    query: ReplayListQuery,
    success: { status: 200, description: 'a page', schema: ReplayListSchema },
    errors: [400, 404, 503],
  },
  getReplay: {
    method: 'get',
    path: `${PIPELINE_ID}/replays/:rid`,
    access: 'viewer',
    summary: 'One replay: status, counts, positions, its worker, and a dry run report',
    success: { status: 200, description: 'the replay', schema: ReplaySchema },
    errors: [404, 503],
  },
  cancelReplay: {
    method: 'delete',
    path: `${PIPELINE_ID}/replays/:rid`,
    access: 'editor',
    summary: 'Cancel a running replay: its worker stops at its next batch',
    success: { status: 200, description: 'cancelled', schema: ReplaySchema },
    errors: [404, 409, 503],
  },
  getOffsets: {
    method: 'get',
    path: `${PIPELINE_ID}/offsets`,
    access: 'viewer',
    summary:
      "Where the pipeline's workers resume: per partition the committed offset, log start and end, lag",
    success: { status: 200, description: 'the offsets', schema: PipelineOffsetsSchema },
    errors: [404, 503],
  },
  moveOffsets: {
    method: 'put',
    path: `${PIPELINE_ID}/offsets`,
    access: 'editor',
    summary:
      'Rewind (or skip) a stopped pipeline: earliest, latest, a time, or given offsets; re-read records keep their _id',
    body: MoveOffsetsBody,
    success: { status: 200, description: 'moved: the new offsets', schema: PipelineOffsetsSchema },
    errors: [400, 404, 409, 413, 415, 503],
  },
  updatePipelineStatus: {
    method: 'put',
    path: `${PIPELINE_ID}/status`,
    access: 'editor',
    summary: 'Set the desired status; always bumps the version (workers restart failed tasks on it)',
    body: StatusBody,
    versioned: true,
    success: { status: 200, description: 'updated', schema: PipelineSchema },
    errors: [400, 404, 409, 412, 413, 415, 503],
  },
  listTasks: {
    method: 'get',
    path: `${PIPELINE_ID}/tasks`,
    access: 'viewer',
    summary:
      "The pipeline's tasks as workers report them: state, partitions and their lag, rates over the last minute, last error, restarts, the worker's CPU, memory and heartbeat age",
    success: { status: 200, description: 'the tasks', schema: TaskListSchema },
    errors: [404, 503],
  },
  createToken: {
    method: 'post',
    path: '/api/v1/tokens',
    access: 'editor',
    summary:
      'Mint an API token (name, role, team); its secret is returned once. Nobody mints more rights than their own',
    body: CreateTokenBody,
    success: { status: 201, description: 'minted; `token` is shown only here', schema: MintedTokenSchema },
    errors: [400, 409, 413, 415, 503],
  },
  listTokens: {
    method: 'get',
    path: '/api/v1/tokens',
    access: 'editor',
    summary: "List API tokens without secrets (admins: all; editors: their team's editor and viewer tokens)",
    query: TokenListQuery,
    success: { status: 200, description: 'a page', schema: TokenListSchema },
    errors: [400, 503],
  },
  revokeToken: {
    method: 'delete',
    path: '/api/v1/tokens/:id',
    access: 'editor',
    summary: 'Revoke an API token (repeating it is a no-op)',
    success: { status: 204, description: 'revoked' },
    errors: [404, 503],
  },
  listAudit: {
    method: 'get',
    path: '/api/v1/audit',
    access: 'admin',
    summary: 'The audit log, newest first: who changed what, when, and the version before and after',
    query: AuditQuery,
    success: { status: 200, description: 'a page', schema: AuditListSchema },
    errors: [400, 503],
  },
  health: {
    method: 'get',
    path: '/health',
    access: 'public',
    summary: 'Service name, version, language, runtime version and architecture',
    success: { status: 200, description: 'alive', schema: HealthSchema },
    errors: [],
  },
  ready: {
    method: 'get',
    path: '/ready',
    access: 'public',
    summary: 'Whether MariaDB, Kafka and OpenSearch answer (503 naming the ones that do not)',
    success: { status: 200, description: 'ready', schema: ReadinessSchema },
    errors: [503],
  },
  openapi: {
    method: 'get',
    path: '/openapi.json',
    access: 'public',
    summary: 'This document',
    success: { status: 200, description: 'OpenAPI 3.1 document', schema: Type.Object({}) },
    errors: [],
  },
} as const satisfies Record<string, RouteSpec>;

export type OperationId = keyof typeof ROUTES;
