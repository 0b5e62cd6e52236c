import { loadConfig } from '../config/load';
import { createLogger } from '../logger';
import { createDatabase } from './knex';
import { migrateLatest } from './migrate';

/** `npm run migrate`: applies pending migrations and exits. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ ...config.log, name: 'sdp-migrate' });
  const db = createDatabase(config.mysql);
  try {
    const applied = await migrateLatest(db, config.mysql.url);
    logger.info({ applied }, 'migrations applied');
  } finally {
    await db.destroy();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`migrate failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
