/**
 * Roles of API tokens, from least to most rights. A `producer` may only post records to its team's
 * pipelines (HTTP ingest); it reads nothing, so it ranks below `viewer`.
 */
export const ROLES = ['producer', 'viewer', 'editor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** The authenticated caller of a request. */
export interface Actor {
  /** The token's name; recorded as createdBy / updatedBy and in the audit log. */
  user: string;
  role: Role;
  /** The token's team; null only for an admin without a team. */
  team: string | null;
  /** The API token used; null for the bootstrap admin (SDP_ADMIN_TOKEN). */
  tokenId: string | null;
  /** The request being served, for the audit log. */
  requestId?: string;
}

/** The name the bootstrap admin (SDP_ADMIN_TOKEN) acts under; no minted token may take it. */
export const BOOTSTRAP_ADMIN = 'bootstrap-admin';
