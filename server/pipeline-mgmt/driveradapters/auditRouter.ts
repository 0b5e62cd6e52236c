import express, { Router } from 'express';
import type { AuditService } from '../interfaces/auditLog';
import { actorFrom } from './http';
import { route } from './routing';
import { ROUTES } from './routes';
import type { Validators } from './validation';

/** /api/v1/audit: the audit log, for admins. */
export function createAuditRouter({
  audit,
  validators,
}: {
  audit: AuditService;
  validators: Validators;
}): Router {
  const router = express.Router();
  route(router, ROUTES.listAudit, async (req, res) => {
    const q = validators.query(ROUTES.listAudit.query, req.query as Record<string, unknown>);
    res.json(await audit.list(q, actorFrom(res)));
  });
  return router;
}
