import express, { Request, Response, Router } from 'express';
import type { Pipeline, PipelineSchemaCheck } from '../../common/pipelines';
import type { ImmutableEcho, PipelineService } from '../interfaces/pipelineService';
import type { ReplayService } from '../interfaces/replayService';
import { replayView } from './replaysRouter';
import { actorFrom, etagOf, parseId, preconditionFrom } from './http';
import { route } from './routing';
import { ROUTES } from './routes';
import type { PatchPipelineBodyT, ReplacePipelineBodyT } from './schemas';
import type { Validators } from './validation';

export interface PipelinesRouterDeps {
  pipelines: PipelineService;
  validators: Validators;
  /** Shows the pipeline's running replays beside its tasks (GET .../tasks); absent: not shown. */
  replays?: ReplayService;
}

/** A pipeline (or its view, with `observed`) with its version as the ETag. */
function sendPipeline(res: Response, status: number, p: Pipeline): void {
  res.status(status).setHeader('ETag', etagOf(p));
  res.json(p);
}

function echoOf(body: ReplacePipelineBodyT | PatchPipelineBodyT): ImmutableEcho {
  const { id, name, topics, partitions, replicationFactor, status, version, team, createdBy, createdAt } =
    body;
  return { id, name, topics, partitions, replicationFactor, status, version, team, createdBy, createdAt };
}

/** The mutable fields of an update body; processors and schema are checked by the service's compiler. */
function fieldsOf<B extends ReplacePipelineBodyT | PatchPipelineBodyT>(body: B) {
  const { index, description, flush, idField, outputEnabled, processors, indexTemplate, schema, tests } =
    body;
  return {
    index: index as B['index'],
    description,
    flush,
    idField,
    outputEnabled,
    processors,
    indexTemplate,
    schema: schema as PipelineSchemaCheck | null | undefined,
    tests,
  };
}

const pathId = (req: Request) => String(req.params.id);

/**
 * /api/v1/pipelines: checks each route's access, validates the request against its schema and calls
 * the pipeline service with the authenticated actor (which applies the team rules).
 */
export function createPipelinesRouter(deps: PipelinesRouterDeps): Router {
  const { pipelines, validators } = deps;
  const router = express.Router();
  const r = ROUTES;
  router.param('id', parseId('pipeline'));

  route(router, r.createPipeline, async (req, res) => {
    const body = validators.body(r.createPipeline.body, req.body);
    const input = { ...body, schema: body.schema as PipelineSchemaCheck | null | undefined };
    const created = await pipelines.createPipeline(input, actorFrom(res));
    res.setHeader('Location', `/api/v1/pipelines/${created.id}`);
    sendPipeline(res, 201, created);
  });

  route(router, r.listPipelines, async (req, res) => {
    const q = validators.query(r.listPipelines.query, req.query as Record<string, unknown>);
    const request = { limit: q.limit, cursor: q.cursor, status: q.status, namePrefix: q.name, team: q.team };
    res.json(await pipelines.listPipelineViews(request, actorFrom(res)));
  });

  route(router, r.getPipeline, async (req, res) => {
    sendPipeline(res, 200, await pipelines.getPipelineView(pathId(req), actorFrom(res)));
  });

  route(router, r.replacePipeline, async (req, res) => {
    const body = validators.body(r.replacePipeline.body, req.body);
    const options = { actor: actorFrom(res), precondition: preconditionFrom(req) };
    const fields = fieldsOf(body);
    sendPipeline(res, 200, await pipelines.replacePipeline(pathId(req), fields, echoOf(body), options));
  });

  route(router, r.patchPipeline, async (req, res) => {
    const body = validators.body(r.patchPipeline.body, req.body);
    const options = { actor: actorFrom(res), precondition: preconditionFrom(req) };
    const fields = fieldsOf(body);
    sendPipeline(res, 200, await pipelines.patchPipeline(pathId(req), fields, echoOf(body), options));
  });

  route(router, r.deletePipeline, async (req, res) => {
    const q = validators.query(r.deletePipeline.query, req.query as Record<string, unknown>);
    await pipelines.deletePipeline(pathId(req), {
      actor: actorFrom(res),
      precondition: preconditionFrom(req),
      force: q.force,
    });
    res.status(204).end();
  });

  route(router, r.updatePipelineStatus, async (req, res) => {
    const body = validators.body(r.updatePipelineStatus.body, req.body);
    const options = { actor: actorFrom(res), precondition: preconditionFrom(req) };
    sendPipeline(res, 200, await pipelines.updatePipelineStatus(pathId(req), body.status, options));
  });

  route(router, r.listTasks, async (req, res) => {
    const items = await pipelines.listTasks(pathId(req), actorFrom(res));
    // Replays are worker tasks too: the running ones, with the worker performing each.
    const running = deps.replays
      ? await deps.replays.list(pathId(req), { limit: 50, status: 'running' }, actorFrom(res))
      : null;
    res.json(running ? { items, replays: running.items.map(replayView) } : { items });
  });

  return router;
}
