import type { RequestHandler, Router } from 'express';
import { requireAccess } from './auth';
import type { RouteSpec } from './routes';

/** Registers a route of the table: its access rule first, then the handlers given. */
export function route(router: Router, spec: RouteSpec, ...handlers: RequestHandler[]): void {
  router[spec.method](spec.path, requireAccess(spec.access), ...handlers);
}
