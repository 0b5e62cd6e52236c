import type { TSchema } from '@sinclair/typebox';
import type { RouteSpec } from './routes';
import * as schemas from './schemas';

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'invalid request (validation_failed, malformed_json, invalid_query, invalid_processors, invalid_schema, index_not_found, immutable_field, team_required, ...)',
  401: 'no, malformed, unknown or revoked bearer token (unauthenticated); see WWW-Authenticate',
  403: 'the token may not do this (forbidden)',
  404: "not found, or not visible to this token's team (pipeline_not_found, token_not_found, route_not_found)",
  409: 'conflict (pipeline_exists, topic_exists, index_exists, pipeline_running, pipeline_deleting, token_exists)',
  412: 'If-Match names a stale version (precondition_failed)',
  413: 'body larger than server.maxBodyKiB (payload_too_large)',
  415: 'body is not application/json (unsupported_media_type)',
  429: 'this token made too many requests (rate_limited); see Retry-After',
  500: 'internal_error',
  503: 'a dependency is unavailable (database_unavailable, kafka_unavailable, opensearch_unavailable, not_ready)',
};

/** Names components after the exported schema constants, and refers to them wherever they are reused. */
function componentNames(): Map<unknown, string> {
  const names = new Map<unknown, string>();
  for (const [name, value] of Object.entries(schemas)) {
    if (typeof value === 'object' && value !== null) names.set(value, name.replace(/Schema$/, ''));
  }
  return names;
}

/** Plain JSON of a schema (TypeBox's symbol keys dropped), with known sub-schemas as $refs. */
function toJson(schema: unknown, names: Map<unknown, string>, top: boolean): unknown {
  if (!top && names.has(schema)) return { $ref: `#/components/schemas/${names.get(schema)}` };
  if (Array.isArray(schema)) return schema.map((s) => toJson(s, names, false));
  if (typeof schema !== 'object' || schema === null) return schema;
  return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, toJson(v, names, false)]));
}

const openApiPath = (path: string) => path.replace(/:([A-Za-z]+)/g, '{$1}');

function parameters(route: RouteSpec, names: Map<unknown, string>) {
  const params: unknown[] = [];
  for (const m of route.path.matchAll(/:([A-Za-z]+)/g)) {
    params.push({ name: m[1], in: 'path', required: true, schema: { type: 'string', format: 'uuid' } });
  }
  const query = route.query as
    (TSchema & { properties?: Record<string, TSchema>; required?: string[] }) | undefined;
  for (const [name, schema] of Object.entries(query?.properties ?? {})) {
    params.push({
      name,
      in: 'query',
      required: query?.required?.includes(name) && !('default' in schema),
      schema: toJson(schema, names, false),
    });
  }
  if (route.versioned && route.method !== 'get' && route.method !== 'post') {
    params.push({ name: 'If-Match', in: 'header', required: false, schema: { type: 'string' } });
  }
  return params;
}

/** The statuses a route's access rule adds: 401, 403 (a producer token reads nothing) and 429. */
function accessErrors(route: RouteSpec): number[] {
  if (route.access === 'public') return [];
  return [401, 403, 429];
}

function operation(operationId: string, route: RouteSpec, names: Map<unknown, string>) {
  const json = (schema: TSchema) => ({ 'application/json': { schema: toJson(schema, names, false) } });
  const responses: Record<string, unknown> = {
    [route.success.status]: {
      description: route.success.description,
      ...(route.versioned && route.success.schema
        ? { headers: { ETag: { schema: { type: 'string' }, description: 'the version, quoted' } } }
        : {}),
      ...(route.success.schema ? { content: json(route.success.schema) } : {}),
    },
  };
  for (const more of route.moreSuccess ?? [])
    responses[more.status] = { description: more.description, content: json(more.schema) };
  const statuses = [...new Set([...route.errors, ...accessErrors(route), 500])].sort((a, b) => a - b);
  for (const status of statuses) {
    responses[status] = {
      description: ERROR_DESCRIPTIONS[status] ?? 'error',
      content: json(schemas.ErrorBodySchema),
    };
  }
  return {
    operationId,
    summary:
      route.access === 'public'
        ? route.summary
        : route.access === 'ingest'
          ? `${route.summary} (role: producer, editor or admin)`
          : `${route.summary} (role: ${route.access} or more)`,
    security: route.access === 'public' ? [] : [{ bearerAuth: [] }],
    parameters: parameters(route, names),
    ...(route.body ? { requestBody: { required: true, content: json(route.body) } } : {}),
    ...(route.rawBody
      ? {
          requestBody: {
            required: true,
            description: route.rawBody.description,
            content: Object.fromEntries(route.rawBody.mediaTypes.map((t) => [t, {}])),
          },
        }
      : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document, generated from the route table and the TypeBox schemas. */
export function createOpenApiDocument(
  routes: Record<string, RouteSpec>,
  version: string,
): Record<string, unknown> {
  const names = componentNames();
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [operationId, route] of Object.entries(routes)) {
    const p = (paths[openApiPath(route.path)] ??= {});
    p[route.method] = operation(operationId, route, names);
  }
  const components: Record<string, unknown> = {};
  for (const [schema, name] of names) {
    if (typeof schema === 'object' && schema !== null && ('type' in schema || 'anyOf' in schema)) {
      components[name] = toJson(schema, names, true);
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'sdp pipeline-mgmt',
      version,
      description: 'Control plane of the Kafka to OpenSearch data pipelines',
    },
    security: [{ bearerAuth: [] }],
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description: 'an API token from POST /api/v1/tokens, or SDP_ADMIN_TOKEN',
        },
      },
    },
  };
}
