import { TSchema, Type } from '@sinclair/typebox';
import {
  CreatePipelineBody,
  DeleteQuery,
  HealthSchema,
  ListQuery,
  PatchPipelineBody,
  PipelineListSchema,
  PipelineSchema,
  ReadinessSchema,
  ReplacePipelineBody,
  StatusBody,
  TaskListSchema,
} from './schemas';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteSpec {
  method: Method;
  /** Express path syntax (`:id`). */
  path: string;
  summary: string;
  body?: TSchema;
  query?: TSchema;
  /** Whether the route reads / honours If-Match and answers with an ETag. */
  versioned?: boolean;
  success: { status: number; description: string; schema?: TSchema };
  /** Error statuses this route can answer with (besides 500). */
  errors: number[];
}

const PIPELINE_ID = '/api/v1/pipelines/:id';

/**
 * The REST surface in one table: the router validates from it and /openapi.json is generated from
 * it, so the two cannot drift apart.
 */
export const ROUTES = {
  createPipeline: {
    method: 'post',
    path: '/api/v1/pipelines',
    summary: 'Create a pipeline: check (or create) the index, create its topics, store it',
    body: CreatePipelineBody,
    versioned: true,
    success: { status: 201, description: 'created', schema: PipelineSchema },
    errors: [400, 409, 413, 415, 503],
  },
  listPipelines: {
    method: 'get',
    path: '/api/v1/pipelines',
    summary: 'List pipelines, oldest first, a page at a time',
    query: ListQuery,
    success: { status: 200, description: 'a page', schema: PipelineListSchema },
    errors: [400, 503],
  },
  getPipeline: {
    method: 'get',
    path: PIPELINE_ID,
    summary: 'Get a pipeline',
    versioned: true,
    success: { status: 200, description: 'the pipeline', schema: PipelineSchema },
    errors: [404, 503],
  },
  replacePipeline: {
    method: 'put',
    path: PIPELINE_ID,
    summary: 'Replace the mutable fields of a pipeline',
    body: ReplacePipelineBody,
    versioned: true,
    success: { status: 200, description: 'updated', schema: PipelineSchema },
    errors: [400, 404, 409, 412, 413, 415, 503],
  },
  patchPipeline: {
    method: 'patch',
    path: PIPELINE_ID,
    summary: 'Change some mutable fields of a pipeline',
    body: PatchPipelineBody,
    versioned: true,
    success: { status: 200, description: 'updated', schema: PipelineSchema },
    errors: [400, 404, 409, 412, 413, 415, 503],
  },
  deletePipeline: {
    method: 'delete',
    path: PIPELINE_ID,
    summary:
      'Delete a stopped pipeline (or a running one with force=true): topics, consumer group, tasks, record',
    query: DeleteQuery,
    versioned: true,
    success: { status: 204, description: 'deleted' },
    errors: [400, 404, 409, 412, 503],
  },
  updatePipelineStatus: {
    method: 'put',
    path: `${PIPELINE_ID}/status`,
    summary: 'Set the desired status; always bumps the version (workers restart failed tasks on it)',
    body: StatusBody,
    versioned: true,
    success: { status: 200, description: 'updated', schema: PipelineSchema },
    errors: [400, 404, 409, 412, 413, 415, 503],
  },
  listTasks: {
    method: 'get',
    path: `${PIPELINE_ID}/tasks`,
    summary: "The pipeline's tasks as workers report them",
    success: { status: 200, description: 'the tasks', schema: TaskListSchema },
    errors: [404, 503],
  },
  health: {
    method: 'get',
    path: '/health',
    summary: 'Service name, version, language, runtime version and architecture',
    success: { status: 200, description: 'alive', schema: HealthSchema },
    errors: [],
  },
  ready: {
    method: 'get',
    path: '/ready',
    summary: 'Whether MariaDB, Kafka and OpenSearch answer (503 naming the ones that do not)',
    success: { status: 200, description: 'ready', schema: ReadinessSchema },
    errors: [503],
  },
  openapi: {
    method: 'get',
    path: '/openapi.json',
    summary: 'This document',
    success: { status: 200, description: 'OpenAPI 3.1 document', schema: Type.Object({}) },
    errors: [],
  },
} as const satisfies Record<string, RouteSpec>;

export type OperationId = keyof typeof ROUTES;
