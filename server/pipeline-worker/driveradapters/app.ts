import express, { Express } from 'express';
import type { Registry } from 'prom-client';
import { createErrorMiddleware, notFoundHandler } from '../../common/http/errorMiddleware';
import type { Logger } from '../../common/logger';
import { createReadinessHandler } from '../../common/http/readinessHandler';
import type { DependencyCheck } from '../../common/readiness';
import { serviceInfo } from '../../common/serviceInfo';

export interface WorkerHttpDeps {
  serviceName: string;
  workerId: string;
  checks: DependencyCheck[];
  registry: Registry;
  /** A summary of the tasks (and the replays it performs, state `replaying`), shown on /health. */
  tasks(): Array<{ pipelineId: string; state: string; replayId?: string }>;
  logger: Logger;
}

/** The worker's own endpoints: /health (service info and tasks), /ready (dependencies), /metrics. */
export function createWorkerApp(deps: WorkerHttpDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/health', (_req, res) => {
    res.json({
      status: 'ok',
      ...serviceInfo(deps.serviceName),
      workerId: deps.workerId,
      tasks: deps.tasks(),
    });
  });
  app.get('/ready', createReadinessHandler(deps.checks));
  app.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', deps.registry.contentType);
    res.send(await deps.registry.metrics());
  });
  app.use(notFoundHandler);
  app.use(createErrorMiddleware(deps.logger));
  return app;
}
