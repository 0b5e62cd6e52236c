import { isDeepStrictEqual } from 'node:util';
import type { Pipeline } from '../../common/pipelines';
import { defaultIsRetriable, isBug, rootCause } from '../../common/retry';

/** Longest backoff of the watcher, as a multiple of its interval. */
export const MAX_RESTART_BACKOFF_FACTOR = 8;

/**
 * What a task's failure means, from its root cause: `transient` when trying again may succeed (a
 * dependency unreachable or refusing for now), `permanent` when it cannot without a fix (a bug, or
 * an error its source marks not retriable, such as an authorisation failure).
 */
export type CrashCause = 'transient' | 'permanent';

export function crashCause(error: unknown): CrashCause {
  return defaultIsRetriable(error) ? 'transient' : 'permanent';
}

/** A short description of the root cause for logs and status: its class name, and whether it is a bug. */
export function describeRoot(error: unknown): { rootName: string; bug: boolean } {
  const root = rootCause(error);
  const rootName = root instanceof Error ? root.name : typeof root;
  return { rootName, bug: isBug(error) || isBug(root) };
}

/**
 * How long after a failure the watcher restarts a task. Transient: one watch interval after a task
 * that had been working, doubled for each restart in a row that failed again before finishing a
 * flush, up to eight intervals. Permanent: eight intervals at once, since only a fix (or a pipeline
 * update, which restarts the task at once) can help.
 */
export function restartDelayMs(
  watchIntervalMs: number,
  failedRestarts: number,
  cause: CrashCause = 'transient',
): number {
  if (cause === 'permanent') return watchIntervalMs * MAX_RESTART_BACKOFF_FACTOR;
  return watchIntervalMs * Math.min(MAX_RESTART_BACKOFF_FACTOR, 2 ** Math.max(0, failedRestarts));
}

/**
 * The part of a pipeline its running task depends on: every field a task is built from. A new
 * pipeline setting that changes what a task does is added here, and nowhere else in the supervisor.
 */
export function taskSettingsOf(p: Pipeline) {
  return {
    index: p.index,
    topics: p.topics,
    idField: p.idField,
    outputEnabled: p.outputEnabled,
    flush: p.flush,
    // What records go through: a change restarts the task, which drains its buffer through the old
    // chain and commits before the new one takes the next record.
    processors: p.processors,
    indexTemplate: p.indexTemplate,
    schema: p.schema,
  };
}

/** Whether a pipeline update changes what its running task does (and so needs a restart). */
export function settingsChanged(a: Pipeline, b: Pipeline): boolean {
  return !isDeepStrictEqual(taskSettingsOf(a), taskSettingsOf(b));
}
