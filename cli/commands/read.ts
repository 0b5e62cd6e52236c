import type { ApiClient } from '../apiClient';
import { byName, listAll } from '../pipelines';
import { Output, table } from '../output';

interface Observed {
  status?: string;
  reason?: string | null;
  lag?: number | null;
  recordsPerSec?: number;
}

const observedOf = (p: Record<string, unknown>) => (p.observed ?? {}) as Observed;

/** `sdp get pipelines`. */
export async function getPipelines(api: ApiClient, out: Output): Promise<void> {
  const items = await listAll(api);
  if (out.json) return out.data({ items });
  const rows = [['NAME', 'STATUS', 'OBSERVED', 'INDEX', 'LAG', 'TEAM']];
  for (const p of items) {
    const o = observedOf(p);
    rows.push([
      p.name,
      p.status,
      o.status ?? '-',
      String(p.index),
      o.lag === null || o.lag === undefined ? '-' : String(o.lag),
      String(p.team ?? '-'),
    ]);
  }
  for (const l of table(rows)) out.line(l);
}

interface Task {
  workerId: string;
  state: string;
  assignedPartitions: number[];
  lag: number | null;
  recordsPerSec: number;
  restartCount: number;
  lastError: string | null;
  live: boolean;
}

interface RunningReplay {
  id: string;
  worker: { id: string } | null;
  counts: { matched: number; replayed: number; indexed: number; failedAgain: number };
}

/** `sdp describe pipeline NAME`: its settings, observed status, tasks and running replays. */
export async function describePipeline(api: ApiClient, name: string, out: Output): Promise<void> {
  const found = await byName(api, name);
  const { body: p } = await api.call<Record<string, unknown>>('GET', `/api/v1/pipelines/${found.id}`);
  const { body: tasks } = await api.call<{ items: Task[]; replays?: RunningReplay[] }>(
    'GET',
    `/api/v1/pipelines/${found.id}/tasks`,
  );
  if (out.json) return out.data({ pipeline: p, tasks: tasks.items });
  const o = observedOf(p);
  const topics = p.topics as { input: string; output: string; error: string };
  out.line(`Name:        ${String(p.name)} (${String(p.id)}, version ${String(p.version)})`);
  out.line(`Team:        ${String(p.team ?? '-')}`);
  out.line(
    `Status:      ${String(p.status)}, observed ${o.status ?? '-'}${o.reason ? ` (${o.reason})` : ''}`,
  );
  out.line(`Index:       ${String(p.index)}`);
  out.line(`Topics:      ${topics.input} -> ${topics.output}, errors ${topics.error}`);
  out.line(`Lag:         ${o.lag ?? '-'}`);
  out.line(`Tasks:       ${tasks.items.length}`);
  if (tasks.items.length > 0) {
    const rows = [['WORKER', 'STATE', 'PARTITIONS', 'LAG', 'RECORDS/S', 'RESTARTS', 'LIVE', 'LAST ERROR']];
    for (const t of tasks.items)
      rows.push([
        t.workerId,
        t.state,
        t.assignedPartitions.join(',') || '-',
        t.lag === null ? '-' : String(t.lag),
        t.recordsPerSec.toFixed(1),
        String(t.restartCount),
        t.live ? 'yes' : 'no',
        t.lastError ?? '-',
      ]);
    for (const l of table(rows)) out.line(`  ${l}`);
  }
  const replays = tasks.replays ?? [];
  if (replays.length > 0) {
    out.line(`Replays:     ${replays.length} running`);
    const rows = [['ID', 'WORKER', 'MATCHED', 'REPLAYED', 'INDEXED', 'FAILED']];
    for (const r of replays)
      rows.push([
        r.id,
        r.worker?.id ?? '(waiting for a worker)',
        String(r.counts.matched),
        String(r.counts.replayed),
        String(r.counts.indexed),
        String(r.counts.failedAgain),
      ]);
    for (const l of table(rows)) out.line(`  ${l}`);
  }
}

interface ErrorItem {
  partition: number;
  offset: string;
  timestamp: string;
  envelope: { stage?: string; errorType?: string; reason?: string } | null;
}

/** `sdp errors NAME [--stage S] [--reason R] [--limit N]`: the newest failed records. */
export async function listErrors(
  api: ApiClient,
  name: string,
  o: { stage?: string; reason?: string; limit: number },
  out: Output,
): Promise<void> {
  const p = await byName(api, name);
  const items: ErrorItem[] = [];
  let cursor: string | null = null;
  // Pages can be short (the server's scan per page is bounded): follow the cursor up to the limit.
  for (let pages = 0; pages < 20 && items.length < o.limit; pages++) {
    const q = new URLSearchParams({ limit: String(Math.min(500, o.limit - items.length)) });
    if (o.stage) q.set('stage', o.stage);
    if (o.reason) q.set('reason', o.reason);
    if (cursor) q.set('cursor', cursor);
    const { body } = await api.call<{ items: ErrorItem[]; nextCursor: string | null }>(
      'GET',
      `/api/v1/pipelines/${p.id}/errors?${q}`,
    );
    items.push(...body.items);
    cursor = body.nextCursor;
    if (!cursor) break;
  }
  if (out.json) return out.data({ items });
  const rows = [['TIME', 'PARTITION/OFFSET', 'STAGE', 'TYPE', 'REASON']];
  for (const i of items)
    rows.push([
      i.timestamp,
      `${i.partition}/${i.offset}`,
      i.envelope?.stage ?? '-',
      i.envelope?.errorType ?? '-',
      (i.envelope?.reason ?? '').slice(0, 120),
    ]);
  for (const l of table(rows)) out.line(l);
}
