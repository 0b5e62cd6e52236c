import type { Knex } from 'knex';
import type { Logger } from '../../common/logger';
import { Pipeline, pipelineFromRow, PipelineRow, PIPELINES_TABLE } from '../../common/pipelines';
import type { PipelineSource } from '../interfaces/pipelineSource';

/** Reads pipelines from MariaDB; rows pipeline-mgmt is still creating or already deleting are left out. */
export function createMariaDbPipelineSource({ db, logger }: { db: Knex; logger: Logger }): PipelineSource {
  return {
    async listActive(): Promise<Pipeline[]> {
      const rows = (await db<PipelineRow>(PIPELINES_TABLE).where('lifecycle', 'ready')) as PipelineRow[];
      const out: Pipeline[] = [];
      for (const row of rows) {
        try {
          out.push(pipelineFromRow(row));
        } catch (e) {
          logger.warn({ err: e, pipelineId: row.id }, 'skipping an unreadable pipeline row');
        }
      }
      return out;
    },
  };
}
