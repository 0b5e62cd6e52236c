import { describeError } from '../../common/errors';
import type { Logger } from '../../common/logger';

/**
 * What an attempt was for: a flush's bulk request or its sends to the error and output topics, or
 * the consumer (a crash kafkajs restarts from, until it joins the group again).
 */
export type AttemptStage = 'index' | 'error-topic' | 'output-topic' | 'consumer';

/** What one flush (or the consumer) reports about its attempts; the flush executor's only view of the task's health. */
export interface AttemptHealth {
  /** An attempt moved nothing forward and will be repeated after a backoff. */
  failed(error: unknown, stage: AttemptStage): void;
  /** An attempt moved at least one record forward: that stage's dependency answers. */
  progressed(stage: AttemptStage): void;
}

export interface TaskHealthDeps {
  /** Consecutive failed attempts of one flush at one stage before the task gives up. */
  failureThreshold: number;
  /** The threshold was reached: the task must end (called once). */
  onGiveUp(error: unknown): void;
  /** The task started (true) or stopped (false) backing off: fetching pauses meanwhile. */
  onBackoffChange(backingOff: boolean): void;
  /** Metrics: one failed attempt. */
  onAttemptFailed?(stage: AttemptStage): void;
  logger: Logger;
}

export interface HealthSnapshot {
  /** The longest run of failed attempts of any flush at any stage, since that stage last progressed. */
  consecutiveFailures: number;
  lastError: string | null;
  backingOff: boolean;
}

/**
 * Failure accounting of one task. Failures are counted per flush and stage, and the task's count is the
 * longest such run: flushes in flight at once, or a flush's error and output sends in parallel, each
 * retry on their own backoff and must not add up, so `failureThreshold` failures always take as long
 * as the retry schedule says. Progress at a stage (its dependency answered) resets that stage for
 * every flush.
 */
export function createTaskHealth(deps: TaskHealthDeps) {
  const { logger } = deps;
  const runs = new Set<Map<AttemptStage, number>>();
  let consecutiveFailures = 0;
  let lastError: string | null = null;
  let backingOff = false;
  let gaveUp = false;

  function recount(): void {
    let max = 0;
    for (const run of runs) for (const n of run.values()) if (n > max) max = n;
    consecutiveFailures = max;
    const next = max > 0;
    if (next !== backingOff) {
      backingOff = next;
      deps.onBackoffChange(next);
    }
  }

  return {
    /** The health handle of one flush (or of the consumer); `done()` once it has ended, however it ended. */
    track(): AttemptHealth & { done(): void } {
      const run = new Map<AttemptStage, number>();
      runs.add(run);
      return {
        failed(error, stage) {
          run.set(stage, (run.get(stage) ?? 0) + 1);
          lastError = describeError(error);
          deps.onAttemptFailed?.(stage);
          recount();
          logger.warn({ stage, consecutiveFailures, err: error }, 'attempt failed; backing off');
          if (consecutiveFailures >= deps.failureThreshold && !gaveUp) {
            gaveUp = true;
            deps.onGiveUp(error);
          }
        },
        progressed(stage) {
          for (const r of runs) r.delete(stage);
          recount();
        },
        done() {
          runs.delete(run);
          // A task that gave up keeps showing the failures that ended it.
          if (!gaveUp) recount();
        },
      };
    },
    /** Records an error that is not an attempt (a consumer crash, the task's end) as the last one. */
    note(error: unknown): void {
      lastError = describeError(error);
    },
    snapshot(): HealthSnapshot {
      return { consecutiveFailures, lastError, backingOff };
    },
  };
}

export type TaskHealth = ReturnType<typeof createTaskHealth>;
