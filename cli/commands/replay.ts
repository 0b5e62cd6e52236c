import { CliError, type ApiClient } from '../apiClient';
import { Output, table } from '../output';
import { byName } from '../pipelines';

interface ReplayView {
  id: string;
  status: string;
  dryRun: boolean;
  counts: {
    scanned: number;
    matched: number;
    replayed: number;
    indexed: number;
    failedAgain: number;
    skipped: number;
  };
  worker: { id: string } | null;
  claims: number;
  reason: string | null;
  startedAt: string;
  endedAt: string | null;
  dryRunReport?: { outcomes: Record<string, number>; sample: unknown[] } | null;
}

export interface ReplayArgs {
  stage?: string;
  reason?: string;
  since?: string;
  until?: string;
  if?: string;
  dryRun: boolean;
  max?: number;
  rate?: number;
  /** Wait for the replay to end and print its counts (exit 1 when it failed or was cancelled). */
  wait: boolean;
  /** How often --wait asks (ms). */
  pollMs?: number;
}

function summary(r: ReplayView): string {
  const c = r.counts;
  return `matched ${c.matched}, replayed ${c.replayed}, indexed ${c.indexed}, failed again ${c.failedAgain}, skipped ${c.skipped} (scanned ${c.scanned})`;
}

/** `sdp replay NAME [--stage S] [--reason R] [--since T] [--until T] [--if EXPR] [--dry-run] [--max N] [--rate N] [--wait]`. */
export async function startReplay(api: ApiClient, name: string, o: ReplayArgs, out: Output): Promise<void> {
  const p = await byName(api, name);
  const filter: Record<string, string> = {};
  for (const k of ['stage', 'reason', 'since', 'until', 'if'] as const) {
    const v = o[k];
    if (v !== undefined) filter[k] = v;
  }
  const body = {
    filter,
    ...(o.dryRun ? { dryRun: true } : {}),
    ...(o.max !== undefined ? { maxRecords: o.max } : {}),
    ...(o.rate !== undefined ? { ratePerSec: o.rate } : {}),
  };
  let { body: r } = await api.call<ReplayView>('POST', `/api/v1/pipelines/${p.id}/replays`, { body });
  if (!o.wait) {
    if (out.json) return out.data(r);
    out.line(`replay ${r.id} ${r.status}${r.dryRun ? ' (dry run)' : ''}: a worker performs it`);
    out.line(`follow it with: sdp replays ${name}`);
    return;
  }
  while (r.status === 'running') {
    await new Promise((res) => setTimeout(res, o.pollMs ?? 1000));
    r = (await api.call<ReplayView>('GET', `/api/v1/pipelines/${p.id}/replays/${r.id}`)).body;
  }
  if (out.json) out.data(r);
  else {
    out.line(`replay ${r.id} ${r.status}${r.dryRun ? ' (dry run)' : ''}: ${summary(r)}`);
    if (r.reason) out.line(`reason: ${r.reason}`);
    if (r.dryRunReport) {
      const rows = [['OUTCOME', 'RECORDS']];
      for (const [k, n] of Object.entries(r.dryRunReport.outcomes)) rows.push([k, String(n)]);
      for (const l of table(rows)) out.line(`  ${l}`);
    }
  }
  if (r.status !== 'succeeded') throw new CliError(`replay ${r.id} ${r.status}`);
}

/** `sdp replays NAME [--cancel ID]`: the pipeline's replays, or cancel one. */
export async function listReplays(
  api: ApiClient,
  name: string,
  o: { cancel?: string },
  out: Output,
): Promise<void> {
  const p = await byName(api, name);
  if (o.cancel) {
    const { body } = await api.call<ReplayView>('DELETE', `/api/v1/pipelines/${p.id}/replays/${o.cancel}`);
    if (out.json) return out.data(body);
    out.line(`replay ${body.id} ${body.status}: ${summary(body)}`);
    return;
  }
  const items: ReplayView[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 100; pages++) {
    const q = new URLSearchParams({ limit: '500' });
    if (cursor) q.set('cursor', cursor);
    const { body } = await api.call<{ items: ReplayView[]; nextCursor: string | null }>(
      'GET',
      `/api/v1/pipelines/${p.id}/replays?${q}`,
    );
    items.push(...body.items);
    cursor = body.nextCursor;
    if (!cursor) break;
  }
  if (out.json) return out.data({ items });
  const rows = [['ID', 'STATUS', 'DRY', 'MATCHED', 'REPLAYED', 'INDEXED', 'FAILED', 'STARTED', 'REASON']];
  for (const r of items)
    rows.push([
      r.id,
      r.status,
      r.dryRun ? 'yes' : 'no',
      String(r.counts.matched),
      String(r.counts.replayed),
      String(r.counts.indexed),
      String(r.counts.failedAgain),
      r.startedAt,
      (r.reason ?? '-').slice(0, 80),
    ]);
  for (const l of table(rows)) out.line(l);
}
