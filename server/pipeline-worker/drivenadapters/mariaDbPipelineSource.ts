import type { Knex } from 'knex';
import type { Logger } from '../../common/logger';
import { Pipeline, pipelineFromRow, PipelineRow, PIPELINES_TABLE } from '../../common/pipelines';
import type { PipelineSource } from '../interfaces/pipelineSource';

type Row = PipelineRow & { lifecycle?: string };

/** Reads pipelines from MariaDB; rows being created or deleted by pipeline-mgmt are left out. */
export function createMariaDbPipelineSource({ db, logger }: { db: Knex; logger: Logger }): PipelineSource {
  return {
    async listActive(): Promise<Pipeline[]> {
      const rows = (await db<Row>(PIPELINES_TABLE).select('*')) as Row[];
      const out: Pipeline[] = [];
      for (const row of rows) {
        if (row.lifecycle !== undefined && row.lifecycle !== 'ready') continue;
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
