import type { Knex } from 'knex';
import { ROLES } from '../interfaces/actor';
import {
  AUDIT_ACTIONS,
  AUDIT_TARGET_TYPES,
  AuditDraft,
  AuditEntry,
  AuditPage,
  AuditQuery,
  AuditReader,
  AuditWriter,
} from '../interfaces/auditLog';
import { dbCall } from './dbErrors';

export const AUDIT_TABLE = 'audit_log';

interface AuditRow {
  id: number | string;
  at: Date;
  actor_token_id: string | null;
  actor_name: string;
  actor_role: string;
  actor_team: string | null;
  action: string;
  target_type: string;
  target_id: string;
  target_name: string;
  team: string | null;
  version_before: number | null;
  version_after: number | null;
  details: string;
  request_id: string | null;
}

/** Writes one audit row; called by the stores inside the transaction of the change it describes. */
export async function insertAudit(
  db: Knex | Knex.Transaction,
  draft: AuditDraft,
  at: Date,
  versions: { before: number | null; after: number | null },
): Promise<void> {
  const { actor, target } = draft;
  await db(AUDIT_TABLE).insert({
    at,
    actor_token_id: actor.tokenId,
    actor_name: actor.user,
    actor_role: actor.role,
    actor_team: actor.team,
    action: draft.action,
    target_type: target.type,
    target_id: target.id,
    target_name: target.name,
    team: draft.team,
    version_before: versions.before,
    version_after: versions.after,
    details: JSON.stringify(draft.details),
    request_id: actor.requestId ?? null,
  });
}

function oneOf<T extends string>(values: readonly T[], v: string, what: string): T {
  const found = values.find((x) => x === v);
  if (found === undefined) throw new Error(`audit row: unknown ${what} ${v}`);
  return found;
}

/** Rows read back are re-checked, details included, rather than trusted. */
function fromRow(r: AuditRow): AuditEntry {
  const details: unknown = JSON.parse(r.details);
  if (typeof details !== 'object' || details === null || Array.isArray(details)) {
    throw new Error(`audit row ${r.id}: details is not an object`);
  }
  return {
    id: String(r.id),
    at: new Date(r.at).toISOString(),
    actor: {
      tokenId: r.actor_token_id,
      name: r.actor_name,
      role: oneOf(ROLES, r.actor_role, 'role'),
      team: r.actor_team,
    },
    action: oneOf(AUDIT_ACTIONS, r.action, 'action'),
    target: {
      type: oneOf(AUDIT_TARGET_TYPES, r.target_type, 'target'),
      id: r.target_id,
      name: r.target_name,
    },
    team: r.team,
    versionBefore: r.version_before === null ? null : Number(r.version_before),
    versionAfter: r.version_after === null ? null : Number(r.version_after),
    details: details as Record<string, unknown>,
    requestId: r.request_id,
  };
}

/** The audit log in MariaDB, newest first. */
export function createMariaDbAuditReader({ db }: { db: Knex }): AuditReader {
  return {
    list: (query: AuditQuery): Promise<AuditPage> =>
      dbCall(async () => {
        const q = db<AuditRow>(AUDIT_TABLE);
        if (query.beforeId !== undefined) q.where('id', '<', query.beforeId);
        if (query.targetId !== undefined) q.where({ target_id: query.targetId });
        if (query.action !== undefined) q.where({ action: query.action });
        const rows = (await q.orderBy('id', 'desc').limit(query.limit + 1)) as AuditRow[];
        const items = rows.slice(0, query.limit).map(fromRow);
        const last = items[items.length - 1];
        return rows.length > query.limit && last ? { items, next: Number(last.id) } : { items };
      }),
  };
}

/** Audit entries for changes made outside the database (Kafka offsets), written after the change. */
export function createMariaDbAuditWriter({ db }: { db: Knex }): AuditWriter {
  return {
    record: (draft) => dbCall(() => insertAudit(db, draft, new Date(), { before: null, after: null })),
  };
}
