import type { Actor, Role } from './actor';
import type { ApiToken } from './tokenStore';

export interface MintInput {
  name: string;
  role: Role;
  /** Defaults to the caller's team. */
  team?: string | null;
}

/** A new token: the only time its secret is shown. */
export interface MintedToken extends ApiToken {
  token: string;
}

export interface TokenListRequest {
  limit: number;
  cursor?: string;
  includeRevoked: boolean;
}

export interface TokenList {
  items: ApiToken[];
  nextCursor: string | null;
}

/** Bearer tokens: checking them, minting, listing and revoking. */
export interface TokenService {
  /** Who presents this token; undefined when it is unknown, revoked or malformed. */
  authenticate(presented: string): Promise<Actor | undefined>;
  mint(input: MintInput, actor: Actor): Promise<MintedToken>;
  list(request: TokenListRequest, actor: Actor): Promise<TokenList>;
  /** Revoking a revoked token is a no-op; one the caller may not see is not found. */
  revoke(id: string, actor: Actor): Promise<void>;
}
