import { InputError } from '../../common/errors';
import type { AuditReader, AuditService } from '../interfaces/auditLog';
import { requireRole } from './access';

/** Audit cursors: base64url of `a<id>`; opaque to clients. */
export function encodeAuditCursor(id: number): string {
  return Buffer.from(`a${id}`, 'utf8').toString('base64url');
}

export function decodeAuditCursor(cursor: string): number {
  const m = /^a(\d{1,15})$/.exec(
    /^[A-Za-z0-9_-]{1,40}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '',
  );
  if (!m?.[1]) throw new InputError('cursor is not one returned by this API', { cursor }, 'invalid_cursor');
  return Number(m[1]);
}

/** The audit log, newest first, for admins only. */
export function createAuditService({ reader }: { reader: AuditReader }): AuditService {
  return {
    list: async ({ limit, cursor, targetId, action }, actor) => {
      requireRole(actor, 'admin', 'reading the audit log');
      const beforeId = cursor === undefined ? undefined : decodeAuditCursor(cursor);
      const page = await reader.list({ limit, beforeId, targetId, action });
      return { items: page.items, nextCursor: page.next === undefined ? null : encodeAuditCursor(page.next) };
    },
  };
}
