import type { Knex } from 'knex';

/**
 * API tokens (bearer credentials) minted through /api/v1/tokens. Only the SHA-256 of a token is
 * stored. `active` is 1 for a live token and NULL once revoked, so the unique key (name, active)
 * keeps names unique among live tokens while revoked ones stay for the audit trail.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('api_tokens', (t) => {
    t.string('id', 36).primary();
    t.string('name', 100).notNullable();
    t.string('role', 16).notNullable();
    t.string('team', 100).nullable();
    t.specificType('token_hash', 'CHAR(64) CHARACTER SET ascii').notNullable();
    t.string('created_by', 200).notNullable();
    t.string('created_by_token', 36).nullable();
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.datetime('revoked_at', { precision: 3 }).nullable();
    t.string('revoked_by', 200).nullable();
    t.tinyint('active').nullable().defaultTo(1);
    t.unique(['name', 'active']);
    t.index(['team', 'created_at', 'id']);
    t.index(['created_at', 'id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('api_tokens');
}
