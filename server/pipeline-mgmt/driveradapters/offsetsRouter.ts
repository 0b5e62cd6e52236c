import express, { Router } from 'express';
import type { OffsetTarget } from '../interfaces/offsetAdmin';
import type { OffsetService } from '../interfaces/offsetService';
import { actorFrom, parseId } from './http';
import type { MoveOffsetsBodyT } from './offsetSchemas';
import { route } from './routing';
import { ROUTES } from './routes';
import type { Validators } from './validation';

function targetOf(to: MoveOffsetsBodyT['to']): OffsetTarget {
  if (to === 'earliest' || to === 'latest') return { kind: to };
  if ('timestamp' in to) return { kind: 'timestamp', at: new Date(to.timestamp) };
  return { kind: 'offsets', partitions: to.partitions };
}

/** /api/v1/pipelines/{id}/offsets: read and move where the pipeline's workers resume. */
export function createOffsetsRouter({
  offsets,
  validators,
}: {
  offsets: OffsetService;
  validators: Validators;
}): Router {
  const router = express.Router();
  router.param('id', parseId('pipeline'));
  route(router, ROUTES.getOffsets, async (req, res) => {
    res.json(await offsets.get(String(req.params.id), actorFrom(res)));
  });
  route(router, ROUTES.moveOffsets, async (req, res) => {
    const body = validators.body(ROUTES.moveOffsets.body, req.body);
    res.json(await offsets.move(String(req.params.id), targetOf(body.to), actorFrom(res)));
  });
  return router;
}
