import express, { Router } from 'express';
import type { ErrorService } from '../interfaces/errorService';
import { actorFrom, parseId } from './http';
import { route } from './routing';
import { ROUTES } from './routes';
import type { Validators } from './validation';

/** GET /api/v1/pipelines/{id}/errors: the pipeline's failed records, newest first. */
export function createErrorsRouter({
  errors,
  validators,
}: {
  errors: ErrorService;
  validators: Validators;
}): Router {
  const router = express.Router();
  router.param('id', parseId('pipeline'));
  route(router, ROUTES.listErrors, async (req, res) => {
    const q = validators.query(ROUTES.listErrors.query, req.query as Record<string, unknown>);
    const page = await errors.list(
      String(req.params.id),
      {
        limit: q.limit,
        cursor: q.cursor,
        stage: q.stage,
        reason: q.reason,
        since: q.since === undefined ? undefined : new Date(q.since),
        until: q.until === undefined ? undefined : new Date(q.until),
      },
      actorFrom(res),
    );
    res.json(page);
  });
  return router;
}
