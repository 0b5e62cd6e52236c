import type { Knex } from 'knex';

/**
 * What workers report for the observed status of a pipeline (issue 8): the error rate over the last
 * minute, the lag of each assigned partition (JSON `[{"partition":0,"lag":12}]`) and the lag trend.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('pipeline_tasks', (t) => {
    t.double('records_failed_per_sec').notNullable().defaultTo(0);
    t.text('partition_lag').nullable();
    t.double('lag_growth_per_min').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('pipeline_tasks', (t) => {
    t.dropColumn('lag_growth_per_min');
    t.dropColumn('partition_lag');
    t.dropColumn('records_failed_per_sec');
  });
}
