import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { ApiClient, CliError } from '../apiClient';
import { loadManifests } from '../manifests';
import type { Output } from '../output';
import { listAll } from '../pipelines';

interface SimResult {
  status: string;
  index?: string;
  id?: string;
  doc?: unknown;
  documents?: Array<{ index: string; id: string; doc: unknown }>;
  steps: Array<{ processor: number; op: string; changed: boolean; dropped?: boolean; failed?: boolean }>;
  error?: { stage: string; errorType: string; reason: string };
}

/** The settings `simulate` tries on an existing pipeline (the rest of the manifest is the pipeline's own). */
const TRIED = ['processors', 'indexTemplate', 'schema', 'idField'] as const;

/**
 * The records of `--records FILE`: a JSON array, NDJSON (one record per line) or YAML documents /
 * a YAML list. A record is an object, or a string sent as is.
 */
export function loadRecords(file: string): unknown[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new CliError(`${file}: cannot read it`);
  }
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    try {
      return JSON.parse(trimmed) as unknown[];
    } catch (e) {
      throw new CliError(`${file}: not a JSON array: ${(e as Error).message}`);
    }
  }
  if (trimmed.startsWith('{')) {
    return trimmed
      .split(/\r?\n/)
      .filter((l) => l.trim().length > 0)
      .map((l, i) => {
        try {
          return JSON.parse(l) as unknown;
        } catch (e) {
          throw new CliError(`${file}:${i + 1}: not JSON: ${(e as Error).message}`);
        }
      });
  }
  const docs = parseAllDocuments(text);
  const bad = docs.find((d) => d.errors.length > 0);
  if (bad) throw new CliError(`${file}: not valid YAML: ${bad.errors[0]!.message.split('\n')[0]}`);
  const values = docs.map((d) => d.toJS() as unknown).filter((v) => v !== null && v !== undefined);
  return values.length === 1 && Array.isArray(values[0]) ? values[0] : values;
}

function describe(r: SimResult, i: number, out: Output): void {
  const where = r.index ? ` ${r.index}/${r.id}` : '';
  const why = r.error ? ` (${r.error.stage} ${r.error.errorType}: ${r.error.reason})` : '';
  out.line(`record ${i + 1}: ${r.status}${where}${why}`);
  const did = r.steps.filter((s) => s.changed || s.dropped || s.failed);
  for (const s of did) {
    const what = [s.changed && 'changed', s.dropped && 'dropped', s.failed && 'failed'].filter(Boolean);
    out.line(`  processors[${s.processor}] ${s.op}: ${what.join(', ')}`);
  }
  for (const d of r.documents ?? (r.doc !== undefined ? [{ index: r.index, id: r.id, doc: r.doc }] : []))
    out.line(`  ${JSON.stringify(d.doc)}`);
}

/**
 * `sdp simulate -f FILE --records FILE`: what the records would become through the pipeline the
 * manifest declares: for one that exists, its processors, indexTemplate, schema and idField as the
 * manifest has them (the change, tried before it is applied); else the manifest as a new pipeline.
 * Exit 0 when the simulation ran, whatever the records' outcomes; with `--fail-on-failed`, 3 when a
 * record would fail.
 */
export async function simulate(
  api: ApiClient,
  o: { file: string; records: string; failOnFailed: boolean },
  out: Output,
): Promise<void> {
  const manifests = loadManifests([o.file]);
  if (manifests.length !== 1)
    throw new CliError(`${o.file}: simulate takes one Pipeline document (found ${manifests.length})`);
  const m = manifests[0]!;
  const records = loadRecords(o.records);
  const existing = (await listAll(api, { namePrefix: m.name })).find((p) => p.name === m.name);
  let results: SimResult[];
  if (existing) {
    const tried = Object.fromEntries(TRIED.filter((k) => k in m.fields).map((k) => [k, m.fields[k]]));
    const { body } = await api.call<{ results: SimResult[] }>(
      'POST',
      `/api/v1/pipelines/${existing.id}/simulate`,
      { body: { records, ...tried }, expect: [200] },
    );
    results = body.results;
  } else {
    const { body } = await api.call<{ results: SimResult[] }>('POST', '/api/v1/simulate', {
      body: { pipeline: m.fields, records },
      expect: [200],
    });
    results = body.results;
  }
  if (out.json) out.data({ pipeline: m.name, exists: !!existing, results });
  else {
    out.line(
      `simulated ${records.length} records through ${existing ? 'pipeline' : 'new pipeline'} ${m.name}`,
    );
    results.forEach((r, i) => describe(r, i, out));
  }
  const failed = results.filter((r) => r.status === 'failed').length;
  if (o.failOnFailed && failed > 0)
    throw new CliError(`${failed} of ${results.length} records would fail`, 3);
}
