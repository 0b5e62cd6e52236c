import type { RequestHandler } from 'express';
import { DependencyCheck, ReadinessResult, runChecks } from '../readiness';
import type { ErrorBody } from './errorMiddleware';

/** The 503 of /ready: the shared error body, plus which checks failed and every check's result. */
export type NotReadyBody = ErrorBody & ReadinessResult & { code: 'not_ready'; failed: string[] };

/** `/ready`: 200 with each check's result, or 503 `not_ready` naming the dependencies that failed. */
export function createReadinessHandler(checks: DependencyCheck[]): RequestHandler {
  return async (_req, res) => {
    const result = await runChecks(checks);
    if (result.ready) {
      res.json(result);
      return;
    }
    const failed = Object.entries(result.checks)
      .filter(([, c]) => !c.ok)
      .map(([name]) => name);
    const body: NotReadyBody = {
      code: 'not_ready',
      message: `unreachable: ${failed.join(', ')}`,
      failed,
      ...result,
    };
    res.status(503).json(body);
  };
}
