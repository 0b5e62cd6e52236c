import type { Actor, Role } from './actor';

/** Everything the audit log records (the API's `action` enum is derived from this list). */
export const AUDIT_ACTIONS = [
  'pipeline.create',
  'pipeline.update',
  'pipeline.status',
  'pipeline.delete',
  'pipeline.offsets',
  'pipeline.replay',
  'pipeline.replay.cancel',
  'token.create',
  'token.revoke',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** What an audit entry can be about. */
export const AUDIT_TARGET_TYPES = ['pipeline', 'token'] as const;

export interface AuditTarget {
  type: (typeof AUDIT_TARGET_TYPES)[number];
  id: string;
  name: string;
}

/** What a change is, written by the store in the same transaction as the change itself. */
export interface AuditDraft {
  action: AuditAction;
  actor: Actor;
  target: AuditTarget;
  /** The team the target belongs to. */
  team: string | null;
  /** What changed (field: {from, to}) or what was made; never a secret. */
  details: Record<string, unknown>;
}

/**
 * Records a change that is not a database write of its own (e.g. moving a pipeline's Kafka offsets),
 * once it is done.
 */
export interface AuditWriter {
  record(draft: AuditDraft): Promise<void>;
}

/** One row of the audit log as the API returns it. */
export interface AuditEntry {
  id: string;
  at: string;
  actor: { tokenId: string | null; name: string; role: Role; team: string | null };
  action: AuditAction;
  target: AuditTarget;
  team: string | null;
  /** Pipeline version before and after the change; null where there is none (create, delete, tokens). */
  versionBefore: number | null;
  versionAfter: number | null;
  details: Record<string, unknown>;
  requestId: string | null;
}

export interface AuditQuery {
  limit: number;
  /** Entries older than this id (the previous page's last). */
  beforeId?: number;
  targetId?: string;
  action?: AuditAction;
}

export interface AuditPage {
  items: AuditEntry[];
  /** Id to pass as `beforeId` for the next page; undefined on the last page. */
  next?: number;
}

/** Reads the audit log (writes happen inside the stores' transactions). */
export interface AuditReader {
  list(query: AuditQuery): Promise<AuditPage>;
}

export interface AuditListRequest {
  limit: number;
  cursor?: string;
  targetId?: string;
  action?: AuditAction;
}

/** The audit log, for admins. */
export interface AuditService {
  list(request: AuditListRequest, actor: Actor): Promise<{ items: AuditEntry[]; nextCursor: string | null }>;
}
