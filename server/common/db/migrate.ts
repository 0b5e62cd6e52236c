import type { Knex } from 'knex';
import { createConnection } from 'mysql2/promise';
import { connectionFromUrl } from './knex';
import { MIGRATIONS } from './migrations';

const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => MIGRATIONS.map(([name]) => name),
  getMigrationName: (name) => name,
  getMigration: async (name) => {
    const found = MIGRATIONS.find(([n]) => n === name);
    if (!found) throw new Error(`unknown migration ${name}`);
    return found[1];
  },
};

export const MIGRATION_CONFIG: Knex.MigratorConfig = { migrationSource, tableName: 'sdp_migrations' };

const LOCK_NAME = 'sdp_schema_migrations';

/**
 * Brings the schema up to date. Replicas starting together serialise on a MariaDB named lock
 * (GET_LOCK waits, where knex's own lock table would fail the losers).
 */
export async function migrateLatest(db: Knex, url: string, lockTimeoutSec = 120): Promise<string[]> {
  const conn = await createConnection(connectionFromUrl(url) as Parameters<typeof createConnection>[0]);
  try {
    const [rows] = await conn.query('SELECT GET_LOCK(?, ?) AS got', [LOCK_NAME, lockTimeoutSec]);
    const got = (rows as Array<{ got: number | null }>)[0]?.got;
    if (got !== 1) throw new Error(`could not take the migration lock within ${lockTimeoutSec}s`);
    try {
      const [, applied] = (await db.migrate.latest(MIGRATION_CONFIG)) as [number, string[]];
      return applied;
    } finally {
      await conn.query('SELECT RELEASE_LOCK(?)', [LOCK_NAME]);
    }
  } finally {
    await conn.end();
  }
}

export async function migrateRollbackAll(db: Knex): Promise<void> {
  await db.migrate.rollback(MIGRATION_CONFIG, true);
}
