import type { Knex } from 'knex';

/**
 * Where a pipeline record is in its own life, apart from its desired status:
 * `creating` (name reserved, topics / index being made; never `running`), `ready`, `deleting`
 * (topics and group being removed). Rows in `creating` are invisible to the REST API.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('pipelines', (t) => {
    t.string('lifecycle', 16).notNullable().defaultTo('ready');
    t.boolean('index_created').notNullable().defaultTo(false);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('pipelines', (t) => {
    t.dropColumn('index_created');
    t.dropColumn('lifecycle');
  });
}
