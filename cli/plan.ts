import { isDeepStrictEqual } from 'node:util';
import { diffLines } from 'diff';
import { stringify } from 'yaml';
import { CliError } from './apiClient';
import type { PipelineManifest } from './manifests';

/** A pipeline as the API returns it (the fields the plan reads). */
export interface StoredPipeline {
  id: string;
  name: string;
  version: number;
  status: string;
  [field: string]: unknown;
}

/** Fields fixed at creation: a manifest may repeat them, but not change them. */
const CREATE_ONLY = ['partitions', 'replicationFactor', 'team'] as const;
/** Fields only a create reads. */
const CREATE_INPUT = ['createIndex'] as const;
/** Set with PUT .../status rather than with the pipeline's fields. */
const STATUS = 'status';

export interface FieldChange {
  field: string;
  from: unknown;
  to: unknown;
}

export type PlannedAction =
  | { action: 'create'; name: string; body: Record<string, unknown> }
  | {
      action: 'update';
      name: string;
      id: string;
      version: number;
      changes: FieldChange[];
      /** The PATCH body (the changed fields); empty when only the status changes. */
      patch: Record<string, unknown>;
      status?: string;
    }
  | { action: 'unchanged'; name: string }
  | { action: 'delete'; name: string; id: string };

/**
 * What `apply` does for each manifest: create what does not exist; for what exists, change the
 * fields the manifest names that differ (fields it leaves out keep their values, `flush` key by key);
 * with `prune`, delete the pipelines of `pruneScope` that no manifest names.
 */
export function planApply(
  manifests: readonly PipelineManifest[],
  existing: readonly StoredPipeline[],
  prune: { scope: readonly StoredPipeline[] } | null,
): PlannedAction[] {
  const byName = new Map(existing.map((p) => [p.name, p]));
  const actions: PlannedAction[] = [];
  for (const m of manifests) {
    const current = byName.get(m.name);
    if (!current) {
      actions.push({ action: 'create', name: m.name, body: m.fields });
      continue;
    }
    const changes: FieldChange[] = [];
    const patch: Record<string, unknown> = {};
    for (const [field, wanted] of Object.entries(m.fields)) {
      if (field === 'name' || (CREATE_INPUT as readonly string[]).includes(field)) continue;
      const now = current[field];
      if ((CREATE_ONLY as readonly string[]).includes(field)) {
        if (!isDeepStrictEqual(now, wanted))
          throw new CliError(
            `${m.source}: ${m.name}.${field} is fixed at creation (${JSON.stringify(now)}); it cannot become ${JSON.stringify(wanted)}`,
          );
        continue;
      }
      if (
        field === 'flush' &&
        typeof wanted === 'object' &&
        wanted !== null &&
        typeof now === 'object' &&
        now !== null
      ) {
        const merged = { ...(now as object), ...(wanted as object) };
        if (!isDeepStrictEqual(merged, now)) {
          changes.push({ field, from: now, to: merged });
          patch.flush = wanted;
        }
        continue;
      }
      if (isDeepStrictEqual(now, wanted)) continue;
      changes.push({ field, from: now, to: wanted });
      if (field !== STATUS) patch[field] = wanted;
    }
    if (changes.length === 0) {
      actions.push({ action: 'unchanged', name: m.name });
      continue;
    }
    const status = changes.find((c) => c.field === STATUS)?.to;
    actions.push({
      action: 'update',
      name: m.name,
      id: current.id,
      version: current.version,
      changes,
      patch,
      ...(typeof status === 'string' ? { status } : {}),
    });
  }
  if (prune) {
    const declared = new Set(manifests.map((m) => m.name));
    for (const p of prune.scope)
      if (!declared.has(p.name)) actions.push({ action: 'delete', name: p.name, id: p.id });
  }
  return actions;
}

/** A change as a small YAML diff: `-` what is, `+` what the manifest says. */
export function renderChange(c: FieldChange): string[] {
  const before = c.from === undefined ? '' : stringify({ [c.field]: c.from });
  const after = c.to === undefined ? '' : stringify({ [c.field]: c.to });
  const lines: string[] = [];
  for (const part of diffLines(before, after)) {
    const mark = part.added ? '+ ' : part.removed ? '- ' : '  ';
    for (const line of part.value.replace(/\n$/, '').split('\n')) lines.push(`    ${mark}${line}`);
  }
  return lines;
}
