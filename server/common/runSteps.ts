import type { Logger } from './logger';

/** A named cleanup step. */
export type Step = readonly [name: string, run: () => Promise<unknown>];

/**
 * Runs every step in order, even when one fails: each failure is logged with the step's name, and
 * once all have run the call rejects with them (so a process whose stop failed exits non-zero).
 */
export async function runSteps(logger: Logger, steps: readonly Step[], what = 'step'): Promise<void> {
  const failures: unknown[] = [];
  for (const [name, run] of steps) {
    try {
      await run();
    } catch (e) {
      failures.push(e);
      logger.warn({ err: e, step: name }, `${what} failed`);
    }
  }
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) throw new AggregateError(failures, `${failures.length} ${what}s failed`);
}
