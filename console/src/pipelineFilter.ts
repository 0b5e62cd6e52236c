import type { ObservedState, Pipeline } from './types';

/** Failures first: the order the list sorts observed states in. */
export const STATE_ORDER: ObservedState[] = [
  'failed',
  'degraded',
  'starting',
  'stopping',
  'running',
  'stopped',
];

export interface ListRow {
  pipeline: Pipeline;
  /** Newest lastFlushAt among its tasks (from GET /tasks); null: never flushed or unknown. */
  lastFlushAt: string | null;
}

export interface ListFilter {
  status: ObservedState | '';
  /** '' every team, '-' no team. */
  team: string;
  search: string;
}

export function filterAndSort(rows: ListRow[], f: ListFilter): ListRow[] {
  const needle = f.search.trim().toLowerCase();
  return rows
    .filter((r) => !f.status || r.pipeline.observed.status === f.status)
    .filter((r) => !f.team || (f.team === '-' ? r.pipeline.team === null : r.pipeline.team === f.team))
    .filter((r) => !needle || r.pipeline.name.toLowerCase().includes(needle))
    .sort(
      (a, b) =>
        STATE_ORDER.indexOf(a.pipeline.observed.status) - STATE_ORDER.indexOf(b.pipeline.observed.status) ||
        a.pipeline.name.localeCompare(b.pipeline.name),
    );
}
