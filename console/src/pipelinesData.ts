import { call } from './api';
import { LIST_MAX_PAGES, LIST_PAGE_SIZE, TASKS_CONCURRENCY } from './settings';
import type { Page, Pipeline, Task } from './types';
import type { ListRow } from './pipelineFilter';

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
