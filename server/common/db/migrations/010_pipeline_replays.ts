import type { Knex } from 'knex';

/**
 * Replays of failed records (issue 14): one row per replay. pipeline-mgmt writes it (status
 * `running`, the filter and options, and the error topic's start and end offsets, snapshotted when
 * the replay is created); a worker claims it (`owner_worker`, `heartbeat_at`, `claims`), saves its
 * per-partition `positions` and counters after each batch, and ends it (`succeeded`, `failed` with
 * its `reason`); a cancel sets `cancelled`. (009 is another change's number.)
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('pipeline_replays', (t) => {
    t.specificType('id', 'CHAR(36)').primary();
    t.specificType('pipeline_id', 'CHAR(36)').notNullable();
    t.string('status', 16).notNullable();
    t.boolean('dry_run').notNullable().defaultTo(false);
    t.text('filter').notNullable();
    t.bigInteger('max_records').nullable();
    t.integer('rate_per_sec').unsigned().notNullable();
    t.text('start_offsets').notNullable();
    t.text('end_offsets').notNullable();
    t.text('positions').notNullable();
    t.bigInteger('scanned').unsigned().notNullable().defaultTo(0);
    t.bigInteger('matched').unsigned().notNullable().defaultTo(0);
    t.bigInteger('replayed').unsigned().notNullable().defaultTo(0);
    t.bigInteger('indexed').unsigned().notNullable().defaultTo(0);
    t.bigInteger('failed_again').unsigned().notNullable().defaultTo(0);
    t.bigInteger('skipped').unsigned().notNullable().defaultTo(0);
    t.specificType('report', 'MEDIUMTEXT').nullable();
    t.string('owner_worker', 100).nullable();
    t.datetime('heartbeat_at', { precision: 3 }).nullable();
    t.integer('claims').unsigned().notNullable().defaultTo(0);
    t.text('reason').nullable();
    t.string('created_by', 100).notNullable();
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.datetime('ended_at', { precision: 3 }).nullable();
    t.index(['pipeline_id', 'created_at'], 'pipeline_replays_pipeline_idx');
    t.index(['status'], 'pipeline_replays_status_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('pipeline_replays');
}
