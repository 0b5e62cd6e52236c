import express, { Express } from 'express';
import { createErrorMiddleware, notFoundHandler } from '../../common/http/errorMiddleware';
import { createRequestContext, securityHeaders } from '../../common/http/requestContext';
import type { Logger } from '../../common/logger';
import type { DependencyCheck } from '../../common/readiness';
import { runChecks } from '../../common/readiness';
import { serviceInfo } from '../../common/serviceInfo';
import type { PipelineService } from '../interfaces/pipelineService';
import { createOpenApiDocument } from './openapi';
import { createPipelinesRouter } from './pipelinesRouter';
import { ROUTES } from './routes';
import { createValidators } from './validation';

export interface MgmtAppDeps {
  serviceName: string;
  pipelines: PipelineService;
  /** What /ready checks. */
  checks: DependencyCheck[];
  logger: Logger;
  maxBodyKiB: number;
}

/** The HTTP face of pipeline-mgmt: health, readiness, OpenAPI and the pipelines API, with one error mapper. */
export function createMgmtApp({ serviceName, pipelines, checks, logger, maxBodyKiB }: MgmtAppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false); // ETags are pipeline versions, set by the router
  app.use(securityHeaders);
  app.use(createRequestContext(logger.child({ component: 'http' })));

  const info = serviceInfo(serviceName);
  app.get(ROUTES.health.path, (_req, res) => {
    res.json({ status: 'ok', ...info });
  });
  app.get(ROUTES.ready.path, async (_req, res) => {
    const result = await runChecks(checks);
    if (result.ready) {
      res.json(result);
      return;
    }
    const failed = Object.entries(result.checks)
      .filter(([, c]) => !c.ok)
      .map(([name]) => name);
    res
      .status(503)
      .json({ code: 'not_ready', message: `unreachable: ${failed.join(', ')}`, failed, ...result });
  });
  const openapi = createOpenApiDocument(ROUTES, info.version);
  app.get(ROUTES.openapi.path, (_req, res) => {
    res.json(openapi);
  });

  app.use(createPipelinesRouter({ pipelines, validators: createValidators(), maxBodyKiB }));
  app.use(notFoundHandler);
  app.use(createErrorMiddleware(logger));
  return app;
}
