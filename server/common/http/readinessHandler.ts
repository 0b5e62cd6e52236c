import type { RequestHandler } from 'express';
import { DependencyCheck, runChecks } from '../readiness';

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
    res
      .status(503)
      .json({ code: 'not_ready', message: `unreachable: ${failed.join(', ')}`, failed, ...result });
  };
}
