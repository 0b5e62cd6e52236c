import type { RequestHandler, Router } from 'express';
import { requireAccess } from './auth';
import type { RouteSpec } from './routes';

/** Registers a handler for a route of the table, behind the route's access rule. */
export function route(router: Router, spec: RouteSpec, handler: RequestHandler): void {
  router[spec.method](spec.path, requireAccess(spec.access), handler);
}
