import type { Knex } from 'knex';

/**
 * What a pipeline does to its records (issue 12): the processor chain (JSON array), the index
 * template and the JSON Schema check (JSON `{jsonSchema, mode}`). Null = none: existing pipelines
 * keep indexing records exactly as they arrive.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('pipelines', (t) => {
    t.text('processors_json', 'mediumtext').nullable();
    t.string('index_template', 512).nullable();
    t.text('schema_json', 'mediumtext').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('pipelines', (t) => {
    t.dropColumn('schema_json');
    t.dropColumn('index_template');
    t.dropColumn('processors_json');
  });
}
