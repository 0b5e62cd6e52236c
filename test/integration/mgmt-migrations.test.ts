import { createDatabase } from '../../server/common/db/knex';
import { MIGRATION_CONFIG } from '../../server/common/db/migrate';
import { createTestDatabase, pipelineRowAt001 } from '../helpers';

// Migration 002 (pipeline lifecycle) up and down, with data in the table.
describe('migration 002_pipeline_lifecycle', () => {
  it('adds lifecycle (ready for existing rows) and index_created, and removes them again keeping the rows', async () => {
    const tdb = await createTestDatabase();
    const db = createDatabase({ url: tdb.url, poolMax: 2 });
    try {
      await db.migrate.up(MIGRATION_CONFIG); // 001
      await db('pipelines').insert(pipelineRowAt001('p1', 'n1'));
      await db.migrate.up({ ...MIGRATION_CONFIG, name: '002_pipeline_lifecycle' });
      expect(await db('pipelines').select('id', 'lifecycle', 'index_created')).toEqual([
        { id: 'p1', lifecycle: 'ready', index_created: 0 },
      ]);
      await db.migrate.down({ ...MIGRATION_CONFIG, name: '002_pipeline_lifecycle' });
      expect(await db.schema.hasColumn('pipelines', 'lifecycle')).toBe(false);
      expect(await db.schema.hasColumn('pipelines', 'index_created')).toBe(false);
      expect(await db('pipelines').select('id', 'name', 'desired_status')).toEqual([
        { id: 'p1', name: 'n1', desired_status: 'running' },
      ]);
    } finally {
      await db.destroy();
      await tdb.drop();
    }
  });
});
