import type { Knex } from 'knex';

/**
 * Every change made through the API: who (token id, name, role, team), what (action, target,
 * details), when, and the pipeline version before and after. Rows are only ever inserted.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('audit_log', (t) => {
    t.bigIncrements('id');
    t.datetime('at', { precision: 3 }).notNullable();
    t.string('actor_token_id', 36).nullable();
    t.string('actor_name', 200).notNullable();
    t.string('actor_role', 16).notNullable();
    t.string('actor_team', 100).nullable();
    t.string('action', 32).notNullable();
    t.string('target_type', 16).notNullable();
    t.string('target_id', 36).notNullable();
    t.string('target_name', 200).notNullable();
    t.string('team', 100).nullable();
    t.integer('version_before').nullable();
    t.integer('version_after').nullable();
    t.text('details').notNullable();
    t.string('request_id', 128).nullable();
    t.index(['target_id', 'id']);
    t.index(['at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('audit_log');
}
