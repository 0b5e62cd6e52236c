import express, { Request, RequestParamHandler, Router } from 'express';
import { NotFoundError } from '../../common/errors';
import type { VersionService } from '../interfaces/versionService';
import { actorFrom, parseId } from './http';
import { route } from './routing';
import { ROUTES } from './routes';
import type { Validators } from './validation';

/** `:version` must be a positive integer; anything else names no version (404). */
const parseVersion: RequestParamHandler = (_req, _res, next, v: string) => {
  next(
    /^[1-9]\d{0,9}$/.test(v)
      ? undefined
      : new NotFoundError(`no version "${v.slice(0, 20)}"`, 'version_not_found'),
  );
};

/** /api/v1/pipelines/{id}/versions: history, diff and rollback. */
export function createVersionsRouter({
  versions,
  validators,
}: {
  versions: VersionService;
  validators: Validators;
}): Router {
  const router = express.Router();
  const r = ROUTES;
  router.param('id', parseId('pipeline'));
  router.param('version', parseVersion);
  const id = (req: Request) => String(req.params.id);
  const v = (req: Request) => Number(req.params.version);
  route(router, r.listVersions, async (req, res) => {
    const q = validators.query(r.listVersions.query, req.query as Record<string, unknown>);
    const page = await versions.list(id(req), { limit: q.limit, before: q.before }, actorFrom(res));
    res.json({ items: page.items, next: page.next ?? null });
  });
  route(router, r.getVersion, async (req, res) => {
    res.json(await versions.get(id(req), v(req), actorFrom(res)));
  });
  route(router, r.diffVersions, async (req, res) => {
    const q = validators.query(r.diffVersions.query, req.query as Record<string, unknown>);
    res.json(await versions.diff(id(req), v(req), q.to, actorFrom(res)));
  });
  route(router, r.rollbackVersion, async (req, res) => {
    res.json(await versions.rollback(id(req), v(req), actorFrom(res)));
  });
  return router;
}
