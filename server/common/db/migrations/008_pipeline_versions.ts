import type { Knex } from 'knex';

/**
 * Every version of every pipeline (issue 13): the whole pipeline as JSON after each change, written
 * in the transaction of the change. Pipelines created before this migration have versions from
 * their next change on.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('pipeline_versions', (t) => {
    t.specificType('pipeline_id', 'CHAR(36)').notNullable();
    t.integer('version').unsigned().notNullable();
    t.datetime('at', { precision: 3 }).notNullable();
    t.string('actor_name', 100).notNullable();
    t.string('action', 32).notNullable();
    t.specificType('snapshot', 'LONGTEXT').notNullable();
    t.primary(['pipeline_id', 'version']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('pipeline_versions');
}
