import type { RequestHandler } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Logger } from '../../common/logger';
import { OBSERVED_STATES } from '../interfaces/observed';
import type { PipelineCounts } from '../interfaces/pipelineService';
import { METRICS_PATH } from './app';
import type { RouteSpec } from './routes';

export interface MgmtMetricsDeps {
  /** The REST routes, whose templates become the `route` label. */
  routes: Record<string, RouteSpec>;
  /** Pipelines by desired and observed status, read at scrape time. */
  pipelineCounts(): Promise<PipelineCounts>;
  logger: Logger;
}

export interface MgmtMetrics {
  registry: Registry;
  /** Counts and times every request by method, route template and status (mount before auth). */
  middleware: RequestHandler;
  /** Serves the registry in the Prometheus text format. */
  handler: RequestHandler;
}

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

/** `/api/v1/pipelines/:id` -> a matcher and the label `/api/v1/pipelines/{id}`; unknown paths -> `unmatched`. */
export function createRouteLabeler(routes: Record<string, RouteSpec>): (path: string) => string {
  const templates = [...new Set([...Object.values(routes).map((r) => r.path), METRICS_PATH])];
  const matchers = templates.map((t) => {
    const pattern = t
      .split('/')
      .map((part) => (part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    // Express matches case-insensitively and with or without a trailing slash.
    return { re: new RegExp(`^${pattern}/?$`, 'i'), label: t.replace(/:([A-Za-z]+)/g, '{$1}') };
  });
  return (path) => matchers.find((m) => m.re.test(path))?.label ?? 'unmatched';
}

/**
 * pipeline-mgmt's Prometheus registry: process metrics prefixed `sdp_mgmt_`, HTTP requests by
 * route template (bounded: the REST table's routes, else `unmatched`) and status, and pipelines by
 * desired and observed status.
 */
export function createMgmtMetrics(deps: MgmtMetricsDeps): MgmtMetrics {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry, prefix: 'sdp_mgmt_' });
  const labelNames = ['method', 'route', 'status'];
  const requests = new Counter({
    name: 'sdp_mgmt_http_requests_total',
    help: 'HTTP requests by method, route template and status',
    labelNames,
    registers,
  });
  const seconds = new Histogram({
    name: 'sdp_mgmt_http_request_duration_seconds',
    help: 'HTTP request latency by method, route template and status',
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  const logger = deps.logger.child({ component: 'metrics' });
  let counts: Promise<PipelineCounts | null> | null = null;
  /** One database walk per scrape, shared by both gauges. */
  const readCounts = () =>
    (counts ??= deps
      .pipelineCounts()
      .catch((e: unknown) => {
        logger.warn({ err: e }, 'cannot count pipelines for /metrics');
        return null;
      })
      .finally(() => setTimeout(() => (counts = null), 1000).unref()));
  new Gauge({
    name: 'sdp_mgmt_pipelines',
    help: 'Pipelines by desired status (absent when the database cannot be read)',
    labelNames: ['status'],
    registers,
    async collect() {
      this.reset();
      const c = await readCounts();
      if (c) for (const [status, n] of Object.entries(c.desired)) this.set({ status }, n);
    },
  });
  new Gauge({
    name: 'sdp_mgmt_pipelines_observed',
    help: 'Pipelines by observed status (what their tasks do)',
    labelNames: ['status'],
    registers,
    async collect() {
      this.reset();
      const c = await readCounts();
      if (c) for (const status of OBSERVED_STATES) this.set({ status }, c.observed[status]);
    },
  });

  const routeOf = createRouteLabeler(deps.routes);
  return {
    registry,
    middleware: (req, res, next) => {
      const started = process.hrtime.bigint();
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        const method = METHODS.has(req.method) ? req.method : 'OTHER';
        const labels = { method, route: routeOf(req.path), status: String(res.statusCode) };
        requests.inc(labels);
        seconds.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
      };
      res.once('finish', finish);
      res.once('close', finish);
      next();
    },
    handler: async (_req, res) => {
      const text = await registry.metrics();
      res.setHeader('Content-Type', registry.contentType);
      res.send(text);
    },
  };
}
