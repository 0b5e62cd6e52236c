import type { Knex } from 'knex';

/** Pipelines (the control plane's records), workers and the tasks they report on. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('pipelines', (t) => {
    t.string('id', 36).primary();
    t.string('name', 100).notNullable().unique();
    t.string('description', 1000).notNullable().defaultTo('');
    t.string('index_name', 255).notNullable();
    t.string('topic_input', 249).notNullable();
    t.string('topic_output', 249).notNullable();
    t.string('topic_error', 249).notNullable();
    t.integer('partitions').notNullable();
    t.integer('replication_factor').notNullable();
    t.double('flush_mib').nullable();
    t.integer('flush_items').nullable();
    t.double('flush_interval_sec').nullable();
    t.string('id_field', 255).nullable();
    t.boolean('output_enabled').notNullable().defaultTo(true);
    t.string('desired_status', 16).notNullable();
    t.integer('version').notNullable().defaultTo(1);
    t.string('team', 100).nullable();
    t.string('created_by', 200).notNullable();
    t.string('updated_by', 200).notNullable();
    t.datetime('created_at', { precision: 3 }).notNullable();
    t.datetime('updated_at', { precision: 3 }).notNullable();
    t.index(['desired_status']);
    t.index(['created_at', 'id']);
  });
  await knex.schema.createTable('workers', (t) => {
    t.string('id', 64).primary();
    t.string('host', 255).notNullable();
    t.integer('pid').notNullable();
    t.string('version', 50).notNullable();
    t.datetime('started_at', { precision: 3 }).notNullable();
    t.datetime('heartbeat_at', { precision: 3 }).notNullable();
    t.double('cpu_percent').notNullable().defaultTo(0);
    t.bigInteger('rss_bytes').notNullable().defaultTo(0);
    t.index(['heartbeat_at']);
  });
  await knex.schema.createTable('pipeline_tasks', (t) => {
    t.string('pipeline_id', 36).notNullable();
    t.string('worker_id', 64).notNullable();
    t.string('state', 16).notNullable();
    t.text('assigned_partitions').notNullable();
    t.integer('restart_count').notNullable().defaultTo(0);
    t.integer('consecutive_failures').notNullable().defaultTo(0);
    t.datetime('next_restart_at', { precision: 3 }).nullable();
    t.text('last_error').nullable();
    t.datetime('last_flush_at', { precision: 3 }).nullable();
    t.bigInteger('records_indexed').notNullable().defaultTo(0);
    t.bigInteger('records_failed').notNullable().defaultTo(0);
    t.double('records_per_sec').notNullable().defaultTo(0);
    t.bigInteger('lag').nullable();
    t.integer('pipeline_version').notNullable().defaultTo(0);
    t.datetime('updated_at', { precision: 3 }).notNullable();
    t.primary(['pipeline_id', 'worker_id']);
    t.index(['worker_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('pipeline_tasks');
  await knex.schema.dropTableIfExists('workers');
  await knex.schema.dropTableIfExists('pipelines');
}
