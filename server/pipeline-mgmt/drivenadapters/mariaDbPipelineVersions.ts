import type { Knex } from 'knex';
import type { Pipeline } from '../../common/pipelines';
import type { AuditDraft } from '../interfaces/auditLog';
import type { PipelineVersion, VersionPage } from '../interfaces/pipelineStore';

/** Table of migration 008: one row per version of a pipeline. */
export const VERSIONS_TABLE = 'pipeline_versions';

interface VersionRow {
  pipeline_id: string;
  version: number;
  at: Date;
  actor_name: string;
  action: string;
  snapshot: string;
}

function fromRow(r: VersionRow): PipelineVersion {
  return {
    version: Number(r.version),
    at: new Date(r.at).toISOString(),
    by: r.actor_name,
    action: r.action,
    pipeline: JSON.parse(r.snapshot) as Pipeline,
  };
}

/** Writes the version a change made; called by the store inside the transaction of the change. */
export async function insertVersion(
  trx: Knex.Transaction,
  p: Pipeline,
  audit: AuditDraft,
  at: Date,
): Promise<void> {
  await trx(VERSIONS_TABLE).insert({
    pipeline_id: p.id,
    version: p.version,
    at,
    actor_name: audit.actor.user,
    action: audit.action,
    snapshot: JSON.stringify(p),
  });
}

export async function versionsOf(
  db: Knex,
  id: string,
  query: { limit: number; before?: number },
): Promise<VersionPage> {
  const q = db<VersionRow>(VERSIONS_TABLE).where({ pipeline_id: id });
  if (query.before !== undefined) q.where('version', '<', query.before);
  const rows = (await q.orderBy('version', 'desc').limit(query.limit + 1)) as VersionRow[];
  const items = rows.slice(0, query.limit).map(fromRow);
  return { items, next: rows.length > query.limit ? items[items.length - 1]?.version : undefined };
}

export async function versionOf(db: Knex, id: string, version: number): Promise<PipelineVersion | undefined> {
  const row = (await db<VersionRow>(VERSIONS_TABLE).where({ pipeline_id: id, version }).first()) as
    VersionRow | undefined;
  return row ? fromRow(row) : undefined;
}
