import type { Role } from './actor';
import type { AuditDraft } from './auditLog';

/** An API token as listed: never its secret, never its hash. */
export interface ApiToken {
  id: string;
  name: string;
  role: Role;
  team: string | null;
  createdBy: string;
  createdAt: string;
  revokedAt: string | null;
  revokedBy: string | null;
}

export interface TokenListQuery {
  limit: number;
  after?: { createdAt: string; id: string };
  /** Only tokens of this team. */
  team?: string;
  /** Only tokens with one of these roles. */
  roles?: Role[];
  includeRevoked: boolean;
}

export interface TokenPage {
  items: ApiToken[];
  next?: { createdAt: string; id: string };
}

/** API tokens (MariaDB in production). Stores only SHA-256 hashes of the secrets. */
export interface TokenStore {
  /** Stores a new token and its audit entry together; `name_taken` when a live token has that name. */
  insert(token: ApiToken, hash: string, audit: AuditDraft): Promise<'created' | 'name_taken'>;
  /** The token and its stored hash, for authentication. */
  findForAuth(id: string): Promise<{ token: ApiToken; hash: string } | undefined>;
  get(id: string): Promise<ApiToken | undefined>;
  list(query: TokenListQuery): Promise<TokenPage>;
  /** Marks the token revoked (and audits it) unless it already is. */
  revoke(id: string, by: string, at: Date, audit: AuditDraft): Promise<'revoked' | 'already' | 'gone'>;
}
