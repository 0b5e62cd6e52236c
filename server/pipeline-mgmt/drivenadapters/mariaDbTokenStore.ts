import type { Knex } from 'knex';
import { ROLES } from '../interfaces/actor';
import type { ApiToken, TokenListQuery, TokenPage, TokenStore } from '../interfaces/tokenStore';
import { dbCall, isDuplicateKey } from './dbErrors';
import { keysetPage } from './keysetPage';
import { insertAudit } from './mariaDbAuditLog';

export const TOKENS_TABLE = 'api_tokens';

interface TokenRow {
  id: string;
  name: string;
  role: string;
  team: string | null;
  token_hash: string;
  created_by: string;
  created_by_token: string | null;
  created_at: Date;
  revoked_at: Date | null;
  revoked_by: string | null;
  active: number | null;
}

const iso = (d: Date | null) => (d === null ? null : new Date(d).toISOString());

function fromRow(r: TokenRow): ApiToken {
  const role = ROLES.find((x) => x === r.role);
  if (!role) throw new Error(`token ${r.id}: unknown role ${r.role}`);
  return {
    id: r.id,
    name: r.name,
    role,
    team: r.team,
    createdBy: r.created_by,
    createdAt: new Date(r.created_at).toISOString(),
    revokedAt: iso(r.revoked_at),
    revokedBy: r.revoked_by,
  };
}

/** API tokens in MariaDB (table `api_tokens`): the SHA-256 of each secret, never the secret. */
export function createMariaDbTokenStore({ db }: { db: Knex }): TokenStore {
  const table = (k: Knex | Knex.Transaction = db) => k<TokenRow>(TOKENS_TABLE);
  const getRow = async (id: string) => (await table().where({ id }).first()) as TokenRow | undefined;

  return {
    insert: (token, hash, audit) =>
      dbCall(async () => {
        try {
          await db.transaction(async (trx) => {
            await table(trx).insert({
              id: token.id,
              name: token.name,
              role: token.role,
              team: token.team,
              token_hash: hash,
              created_by: token.createdBy,
              created_by_token: audit.actor.tokenId,
              created_at: new Date(token.createdAt),
              revoked_at: null,
              revoked_by: null,
              active: 1,
            });
            await insertAudit(trx, audit, new Date(token.createdAt), { before: null, after: null });
          });
          return 'created';
        } catch (e: unknown) {
          if (isDuplicateKey(e)) return 'name_taken';
          throw e;
        }
      }),

    findForAuth: (id) =>
      dbCall(async () => {
        const row = await getRow(id);
        return row ? { token: fromRow(row), hash: row.token_hash } : undefined;
      }),

    get: (id) =>
      dbCall(async () => {
        const row = await getRow(id);
        return row ? fromRow(row) : undefined;
      }),

    list: (query: TokenListQuery): Promise<TokenPage> =>
      dbCall(async () => {
        const q = table().select(
          'id',
          'name',
          'role',
          'team',
          'created_by',
          'created_at',
          'revoked_at',
          'revoked_by',
        );
        if (!query.includeRevoked) q.whereNull('revoked_at');
        if (query.team !== undefined) q.where({ team: query.team });
        if (query.roles !== undefined) q.whereIn('role', query.roles);
        return keysetPage(q, query, fromRow);
      }),

    revoke: (id, by, at, audit) =>
      dbCall(() =>
        db.transaction(async (trx) => {
          const n = await table(trx)
            .where({ id })
            .whereNull('revoked_at')
            .update({ revoked_at: at, revoked_by: by, active: null });
          if (n === 1) {
            await insertAudit(trx, audit, at, { before: null, after: null });
            return 'revoked' as const;
          }
          return (await table(trx).where({ id }).first()) ? ('already' as const) : ('gone' as const);
        }),
      ),
  };
}
