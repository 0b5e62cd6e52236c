import { call } from './api';
import { LIST_MAX_PAGES, LIST_PAGE_SIZE, TASKS_CONCURRENCY } from './settings';
import type { ObservedState, Page, Pipeline, Task } from './types';

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

/** Every pipeline the caller may see (following nextCursor), each with its last flush. */
export async function loadPipelineRows(): Promise<{ rows: ListRow[]; truncated: boolean }> {
  const all: Pipeline[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const q = new URLSearchParams({ limit: String(LIST_PAGE_SIZE) });
    if (cursor) q.set('cursor', cursor);
    const page: Page<Pipeline> = await call<Page<Pipeline>>('GET', `/api/v1/pipelines?${q}`);
    all.push(...page.items);
    cursor = page.nextCursor;
    pages++;
  } while (cursor && pages < LIST_MAX_PAGES);

  const flushes = new Map<string, string | null>();
  let next = 0;
  const worker = async () => {
    while (next < all.length) {
      const p = all[next++]!;
      try {
        const tasks = await call<{ items: Task[] }>(
          'GET',
          `/api/v1/pipelines/${encodeURIComponent(p.id)}/tasks`,
        );
        flushes.set(p.id, newest(tasks.items.map((t) => t.lastFlushAt)));
      } catch {
        flushes.set(p.id, null); // the list still shows; the detail page shows the error
      }
    }
  };
  await Promise.all(Array.from({ length: TASKS_CONCURRENCY }, worker));
  return {
    rows: all.map((pipeline) => ({ pipeline, lastFlushAt: flushes.get(pipeline.id) ?? null })),
    truncated: cursor !== null,
  };
}

function newest(times: Array<string | null>): string | null {
  let best: string | null = null;
  for (const t of times) if (t && (!best || Date.parse(t) > Date.parse(best))) best = t;
  return best;
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
