import { positiveArg } from '../args';
import type { ApiClient } from '../apiClient';
import type { Output } from '../output';
import { table } from '../output';
import { byName } from '../pipelines';
import { renderChange } from '../plan';

interface Version {
  version: number;
  at: string;
  by: string;
  action: string;
}

/**
 * `sdp versions NAME [--diff V]`: the pipeline's versions, newest first (every page); with
 * `--diff V`, what changed from version V to the current one, field by field.
 */
export async function listVersions(
  api: ApiClient,
  name: string,
  o: { diff?: string },
  out: Output,
): Promise<void> {
  const p = await byName(api, name);
  if (o.diff !== undefined) {
    const from = positiveArg('--diff', o.diff);
    const { body } = await api.call<{ changes: Array<{ path: string; from?: unknown; to?: unknown }> }>(
      'GET',
      `/api/v1/pipelines/${p.id}/versions/${from}/diff?to=${p.version}`,
    );
    if (out.json) return out.data({ from, to: p.version, changes: body.changes });
    out.line(`pipeline ${name}: version ${from} -> ${p.version}, ${body.changes.length} changes`);
    for (const c of body.changes)
      for (const l of renderChange({ field: c.path, from: c.from, to: c.to })) out.line(l);
    return;
  }
  const items: Version[] = [];
  let before: number | null = null;
  do {
    const q: string = before ? `&before=${before}` : '';
    const { body } = await api.call<{ items: Version[]; next: number | null }>(
      'GET',
      `/api/v1/pipelines/${p.id}/versions?limit=500${q}`,
    );
    items.push(...body.items);
    before = body.next;
  } while (before);
  if (out.json) return out.data({ items });
  const rows = [['VERSION', 'AT', 'BY', 'CHANGE']];
  for (const v of items) rows.push([String(v.version), v.at, v.by, v.action]);
  for (const l of table(rows)) out.line(l);
}

/** `sdp rollback NAME VERSION`: a new version with VERSION's settings (checked, tested and audited like an update). */
export async function rollback(api: ApiClient, name: string, version: string, out: Output): Promise<void> {
  const v = positiveArg('version', version);
  const p = await byName(api, name);
  const { body } = await api.call<{ changed: boolean; pipeline: { version: number } }>(
    'POST',
    `/api/v1/pipelines/${p.id}/versions/${v}/rollback`,
    { expect: [200] },
  );
  if (out.json) return out.data(body);
  out.line(
    body.changed
      ? `rolled back pipeline ${name} to the settings of version ${v}: now version ${body.pipeline.version}`
      : `pipeline ${name} already has the settings of version ${v}: unchanged`,
  );
}
