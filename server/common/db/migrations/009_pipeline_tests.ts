import type { Knex } from 'knex';

/**
 * Tests stored with a pipeline (issue 13): a JSON array of `{name, input, expect}`, run on every
 * create and update. Null = none: existing pipelines have no tests.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('pipelines', (t) => {
    t.text('tests_json', 'mediumtext').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('pipelines', (t) => {
    t.dropColumn('tests_json');
  });
}
