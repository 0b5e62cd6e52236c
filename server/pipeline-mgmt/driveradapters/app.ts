import express, { Express, RequestHandler } from 'express';
import { createErrorMiddleware, notFoundHandler } from '../../common/http/errorMiddleware';
import { createRequestContext, securityHeaders } from '../../common/http/requestContext';
import type { Logger } from '../../common/logger';
import type { DependencyCheck } from '../../common/readiness';
import { createReadinessHandler } from '../../common/http/readinessHandler';
import { serviceInfo } from '../../common/serviceInfo';
import type { ErrorService } from '../interfaces/errorService';
import type { IngestService } from '../interfaces/ingestService';
import type { OffsetService } from '../interfaces/offsetService';
import type { SimulateService } from '../interfaces/simulateService';
import type { ReplayService } from '../interfaces/replayService';
import type { VersionService } from '../interfaces/versionService';
import type { PipelineService } from '../interfaces/pipelineService';
import type { AuditService } from '../interfaces/auditLog';
import type { TokenService } from '../interfaces/tokenService';
import { createAuditRouter } from './auditRouter';
import { createAuthenticate } from './auth';
import { createConsoleRouter } from './consoleRouter';
import { jsonTypes, requireJsonBody } from './http';
import { createErrorsRouter } from './errorsRouter';
import { createIngestRouter } from './ingestRouter';
import { createOffsetsRouter } from './offsetsRouter';
import { createSimulateRouter } from './simulateRouter';
import { createReplaysRouter } from './replaysRouter';
import { createVersionsRouter } from './versionsRouter';
import { createOpenApiDocument } from './openapi';
import { createPipelinesRouter } from './pipelinesRouter';
import { createRateLimit, createTokenBucketLimiter, RateLimiter } from './rateLimit';
import { ROUTES } from './routes';
import { createTokensRouter } from './tokensRouter';
import { createValidators } from './validation';

export const METRICS_PATH = '/metrics';

export interface MgmtAppDeps {
  serviceName: string;
  pipelines: PipelineService;
  tokens: TokenService;
  audit: AuditService;
  /** HTTP ingest (POST /api/v1/pipelines/{id}/records); without it the route is a 404. */
  ingest?: { service: IngestService; maxIngestMiB: number };
  /** GET / PUT /api/v1/pipelines/{id}/offsets; without it those routes are a 404. */
  offsets?: OffsetService;
  /** GET /api/v1/pipelines/{id}/errors; without it that route is a 404. */
  errors?: ErrorService;
  /** POST /api/v1/pipelines/{id}/simulate and /api/v1/simulate; without it those routes are a 404. */
  simulate?: SimulateService;
  /** /api/v1/pipelines/{id}/replays; without it those routes are a 404. */
  replays?: ReplayService;
  /** /api/v1/pipelines/{id}/versions; without it those routes are a 404. */
  versions?: VersionService;
  /** What /ready checks. */
  checks: DependencyCheck[];
  logger: Logger;
  maxBodyKiB: number;
  /** Per-token rate limit (server.rateLimitPerSec / server.rateLimitBurst), or a limiter of one's own. */
  rateLimit: { perSec: number; burst: number } | RateLimiter;
  /**
   * The hook for Prometheus metrics: a handler served at GET /metrics, open or behind a bearer
   * token (any role) as server.metricsRequireAuth says. Without a handler /metrics is a 404.
   */
  metrics?: { handler: RequestHandler; requireAuth: boolean };
  /** Counts and times every request (mounted first, so refused and unknown requests count too). */
  requestMetrics?: RequestHandler;
}

/**
 * The HTTP face of pipeline-mgmt: /health, /ready and /openapi.json open; everything under /api
 * behind a bearer token and its rate limit; one error mapper.
 */
export function createMgmtApp(deps: MgmtAppDeps): Express {
  const { serviceName, pipelines, tokens, audit, checks, logger, maxBodyKiB } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false); // ETags are pipeline versions, set by the router
  if (deps.requestMetrics) app.use(deps.requestMetrics);
  app.use(securityHeaders);
  app.use(createRequestContext(logger.child({ component: 'http' })));

  const info = serviceInfo(serviceName);
  app.get(ROUTES.health.path, (_req, res) => {
    res.json({ status: 'ok', ...info });
  });
  app.get(ROUTES.ready.path, createReadinessHandler(checks));
  const openapi = createOpenApiDocument(ROUTES, info.version);
  app.get(ROUTES.openapi.path, (_req, res) => {
    res.json(openapi);
  });
  app.use(createConsoleRouter());

  const authenticate = createAuthenticate({ tokens });
  const limiter =
    'take' in deps.rateLimit
      ? deps.rateLimit
      : createTokenBucketLimiter({ ratePerSec: deps.rateLimit.perSec, burst: deps.rateLimit.burst });
  const rateLimit = createRateLimit({ limiter });
  if (deps.metrics) {
    const gate = deps.metrics.requireAuth ? [authenticate, rateLimit] : [];
    app.get(METRICS_PATH, ...gate, deps.metrics.handler);
  }

  // Authentication comes before any body is read: an anonymous caller costs no parsing.
  app.use('/api', authenticate, rateLimit);
  const validators = createValidators();
  // Ingest reads its own bodies (NDJSON, larger limit), so it comes before the JSON parser below.
  if (deps.ingest)
    app.use(
      createIngestRouter({ ingest: deps.ingest.service, validators, maxIngestMiB: deps.ingest.maxIngestMiB }),
    );
  // The resources that take bodies; a body in another media type is a 415 before it is read.
  app.use(
    ['/api/v1/pipelines', '/api/v1/tokens', ROUTES.simulateNew.path],
    requireJsonBody,
    express.json({ type: jsonTypes, limit: maxBodyKiB * 1024, strict: true }),
  );
  if (deps.simulate) app.use(createSimulateRouter({ simulate: deps.simulate, validators }));
  if (deps.versions) app.use(createVersionsRouter({ versions: deps.versions, validators }));
  if (deps.errors) app.use(createErrorsRouter({ errors: deps.errors, validators }));
  if (deps.offsets) app.use(createOffsetsRouter({ offsets: deps.offsets, validators }));
  if (deps.replays) app.use(createReplaysRouter({ replays: deps.replays, validators }));
  app.use(createPipelinesRouter({ pipelines, validators, replays: deps.replays }));
  app.use(createTokensRouter({ tokens, validators }));
  app.use(createAuditRouter({ audit, validators }));
  app.use(notFoundHandler);
  app.use(createErrorMiddleware(logger));
  return app;
}
