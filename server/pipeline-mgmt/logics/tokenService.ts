import { randomBytes, randomUUID } from 'node:crypto';
import { ConflictError, InputError, NotFoundError } from '../../common/errors';
import type { Logger } from '../../common/logger';
import { Actor, BOOTSTRAP_ADMIN } from '../interfaces/actor';
import type { AuditDraft } from '../interfaces/auditLog';
import type { MintedToken, TokenService } from '../interfaces/tokenService';
import type { ApiToken, TokenStore } from '../interfaces/tokenStore';
import { canSeeToken, requireRole, teamForNewToken, tokenFilter } from './access';
import { decodeCursor, encodeCursor } from './cursor';
import { hashToken, MAX_TOKEN_LENGTH, newTokenSecret, sameHash, tokenIdOf } from './tokenSecrets';

export interface TokenServiceDeps {
  store: TokenStore;
  logger: Logger;
  /** The bootstrap admin credential (SDP_ADMIN_TOKEN or a generated one); none: no bootstrap admin. */
  adminToken?: string;
  newId?: () => string;
  random?: (n: number) => Buffer;
  now?: () => Date;
}

const tokenNotFound = (id: string) => new NotFoundError(`no token with id "${id}"`, 'token_not_found');

function auditOf(action: 'token.create' | 'token.revoke', actor: Actor, t: ApiToken): AuditDraft {
  return {
    action,
    actor,
    target: { type: 'token', id: t.id, name: t.name },
    team: t.team,
    details: { role: t.role, team: t.team },
  };
}

/** Bearer tokens: the bootstrap admin, and tokens minted through the API (stored hashed). */
export function createTokenService(deps: TokenServiceDeps): TokenService {
  const { store } = deps;
  const newId = deps.newId ?? randomUUID;
  const random = deps.random ?? randomBytes;
  const now = deps.now ?? (() => new Date());
  const log = deps.logger.child({ component: 'token-service' });
  const adminHash = deps.adminToken === undefined ? undefined : hashToken(deps.adminToken);
  const bootstrap: Actor = { user: BOOTSTRAP_ADMIN, role: 'admin', team: null, tokenId: null };

  return {
    authenticate: async (presented) => {
      if (presented.length === 0 || presented.length > MAX_TOKEN_LENGTH) return undefined;
      const hash = hashToken(presented);
      if (adminHash !== undefined && sameHash(hash, adminHash)) return { ...bootstrap };
      const id = tokenIdOf(presented);
      if (id === undefined) return undefined;
      const found = await store.findForAuth(id);
      if (!found || !sameHash(hash, found.hash) || found.token.revokedAt !== null) return undefined;
      const { name, role, team } = found.token;
      return { user: name, role, team, tokenId: id };
    },

    mint: async (input, actor): Promise<MintedToken> => {
      const team = teamForNewToken(actor, input.role, input.team);
      if (input.name === BOOTSTRAP_ADMIN) {
        throw new InputError(
          `"${BOOTSTRAP_ADMIN}" is reserved`,
          [{ path: '/name', message: 'is reserved' }],
          'validation_failed',
        );
      }
      const id = newId();
      const token: ApiToken = {
        id,
        name: input.name,
        role: input.role,
        team,
        createdBy: actor.user,
        createdAt: now().toISOString(),
        revokedAt: null,
        revokedBy: null,
      };
      const secret = newTokenSecret(id, random);
      const r = await store.insert(token, hashToken(secret), auditOf('token.create', actor, token));
      if (r === 'name_taken') {
        throw new ConflictError(`a live token named "${input.name}" already exists`, 'token_exists', {
          name: input.name,
        });
      }
      log.info({ tokenId: id, role: token.role, team, by: actor.user }, 'token minted');
      return { ...token, token: secret };
    },

    list: async ({ limit, cursor, includeRevoked }, actor) => {
      requireRole(actor, 'editor', 'listing tokens');
      const after = cursor === undefined ? undefined : decodeCursor(cursor);
      const page = await store.list({ limit, after, includeRevoked, ...tokenFilter(actor) });
      return { items: page.items, nextCursor: page.next ? encodeCursor(page.next) : null };
    },

    revoke: async (id, actor) => {
      requireRole(actor, 'editor', 'revoking a token');
      const token = await store.get(id);
      if (!token || !canSeeToken(actor, token)) throw tokenNotFound(id);
      const r = await store.revoke(id, actor.user, now(), auditOf('token.revoke', actor, token));
      if (r === 'gone') throw tokenNotFound(id);
      if (r === 'revoked') log.info({ tokenId: id, by: actor.user }, 'token revoked');
    },
  };
}
