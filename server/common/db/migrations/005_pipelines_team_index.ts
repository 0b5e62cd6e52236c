import type { Knex } from 'knex';

/** Non-admin callers list only their team's pipelines: an index that serves that filter in page order. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('pipelines', (t) => {
    t.index(['team', 'created_at', 'id'], 'pipelines_team_created_at_id_index');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('pipelines', (t) => {
    t.dropIndex(['team', 'created_at', 'id'], 'pipelines_team_created_at_id_index');
  });
}
