import { createDatabase } from '../../server/common/db/knex';
import { MIGRATION_CONFIG } from '../../server/common/db/migrate';
import { createTestDatabase } from '../helpers';

// Migration 006 (task observability) up and down, with a task row in the table.
describe('migration 006_task_observability', () => {
  it('adds records_failed_per_sec (0 for existing rows), partition_lag and lag_growth_per_min, and removes them keeping the rows', async () => {
    const tdb = await createTestDatabase();
    const db = createDatabase({ url: tdb.url, poolMax: 2 });
    try {
      for (let i = 0; i < 5; i++) await db.migrate.up(MIGRATION_CONFIG); // 001-005
      const now = new Date();
      await db('pipeline_tasks').insert({
        pipeline_id: 'p1',
        worker_id: 'w1',
        state: 'running',
        assigned_partitions: '[0]',
        records_per_sec: 12.5,
        lag: 3,
        updated_at: now,
      });
      await db.migrate.up({ ...MIGRATION_CONFIG, name: '006_task_observability' });
      expect(
        await db('pipeline_tasks').select(
          'pipeline_id',
          'records_failed_per_sec',
          'partition_lag',
          'lag_growth_per_min',
        ),
      ).toEqual([
        { pipeline_id: 'p1', records_failed_per_sec: 0, partition_lag: null, lag_growth_per_min: null },
      ]);
      await db('pipeline_tasks')
        .where({ pipeline_id: 'p1' })
        .update({ partition_lag: '[{"partition":0,"lag":3}]', lag_growth_per_min: -1.5 });
      await db.migrate.down({ ...MIGRATION_CONFIG, name: '006_task_observability' });
      for (const column of ['records_failed_per_sec', 'partition_lag', 'lag_growth_per_min']) {
        expect(await db.schema.hasColumn('pipeline_tasks', column)).toBe(false);
      }
      expect(await db('pipeline_tasks').select('pipeline_id', 'records_per_sec', 'lag')).toEqual([
        { pipeline_id: 'p1', records_per_sec: 12.5, lag: 3 },
      ]);
    } finally {
      await db.destroy();
      await tdb.drop();
    }
  });
});
