import type { Pipeline } from '../../common/pipelines';

/** Longest backoff of the watcher, as a multiple of its interval. */
export const MAX_RESTART_BACKOFF_FACTOR = 8;

/**
 * How long after a failure the watcher restarts a task: one watch interval after a task that had
 * been working, doubled for each restart in a row that failed again before finishing a flush, up to
 * eight intervals.
 */
export function restartDelayMs(watchIntervalMs: number, failedRestarts: number): number {
  return watchIntervalMs * Math.min(MAX_RESTART_BACKOFF_FACTOR, 2 ** Math.max(0, failedRestarts));
}

/** Whether a pipeline update changes what its running task does (and so needs a restart). */
export function settingsChanged(a: Pipeline, b: Pipeline): boolean {
  return (
    a.index !== b.index ||
    a.topics.input !== b.topics.input ||
    a.topics.output !== b.topics.output ||
    a.topics.error !== b.topics.error ||
    a.idField !== b.idField ||
    a.outputEnabled !== b.outputEnabled ||
    a.flush.mib !== b.flush.mib ||
    a.flush.items !== b.flush.items ||
    a.flush.intervalSec !== b.flush.intervalSec
  );
}
