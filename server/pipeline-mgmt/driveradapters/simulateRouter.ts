import express, { Router } from 'express';
import type { PipelineSchemaCheck } from '../../common/pipelines';
import type { SimulateService } from '../interfaces/simulateService';
import { actorFrom, parseId } from './http';
import { route } from './routing';
import { ROUTES } from './routes';
import type { Validators } from './validation';

/** POST /api/v1/pipelines/{id}/simulate and POST /api/v1/simulate: what records would become. */
export function createSimulateRouter({
  simulate,
  validators,
}: {
  simulate: SimulateService;
  validators: Validators;
}): Router {
  const router = express.Router();
  router.param('id', parseId('pipeline'));
  route(router, ROUTES.simulatePipeline, async (req, res) => {
    const { records, processors, indexTemplate, schema, idField } = validators.body(
      ROUTES.simulatePipeline.body,
      req.body,
    );
    const overrides = {
      processors,
      indexTemplate,
      schema: schema as PipelineSchemaCheck | null | undefined,
      idField,
    };
    const results = await simulate.simulate(String(req.params.id), records, overrides, actorFrom(res));
    res.json({ results });
  });
  route(router, ROUTES.simulateNew, async (req, res) => {
    const { pipeline, records } = validators.body(ROUTES.simulateNew.body, req.body);
    const proposed = { ...pipeline, schema: pipeline.schema as PipelineSchemaCheck | null | undefined };
    res.json({ results: await simulate.simulateNew(proposed, records, actorFrom(res)) });
  });
  return router;
}
