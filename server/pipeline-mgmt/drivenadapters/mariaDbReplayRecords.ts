import type { Knex } from 'knex';
import {
  reasonColumn,
  replayFromRow,
  ReplayRow,
  REPLAYS_TABLE,
  ZERO_COUNTERS,
  countersToRow,
} from '../../common/replays';
import type { ReplayRecords } from '../interfaces/replayStore';
import { dbCall } from './dbErrors';
import { keysetPage } from './keysetPage';

/** `pipeline_replays` for pipeline-mgmt: creates, reads and cancels replays (workers do the rest). */
export function createMariaDbReplayRecords({ db }: { db: Knex }): ReplayRecords {
  const table = () => db<ReplayRow>(REPLAYS_TABLE);
  const get = async (pipelineId: string, id: string) => {
    const row = (await dbCall(() => table().where({ id, pipeline_id: pipelineId }).first())) as
      ReplayRow | undefined;
    return row ? replayFromRow(row) : null;
  };
  return {
    async insert(r) {
      await dbCall(() =>
        table().insert({
          id: r.id,
          pipeline_id: r.pipelineId,
          status: 'running',
          dry_run: r.options.dryRun,
          filter: JSON.stringify(r.filter),
          max_records: r.options.maxRecords,
          rate_per_sec: r.options.ratePerSec,
          start_offsets: JSON.stringify(r.startOffsets),
          end_offsets: JSON.stringify(r.endOffsets),
          positions: JSON.stringify({}),
          ...countersToRow(ZERO_COUNTERS),
          report: null,
          owner_worker: null,
          heartbeat_at: null,
          claims: 0,
          reason: null,
          created_by: r.createdBy.slice(0, 100),
          created_at: r.createdAt,
          ended_at: null,
        } as never),
      );
      const created = await get(r.pipelineId, r.id);
      if (!created) throw new Error(`replay ${r.id} vanished after its insert`);
      return created;
    },
    get,
    async list(pipelineId, q) {
      const query = table().where({ pipeline_id: pipelineId });
      if (q.status) query.where({ status: q.status });
      const page = await dbCall(() =>
        keysetPage<ReplayRow, ReturnType<typeof replayFromRow>>(query, q, replayFromRow),
      );
      return page;
    },
    async cancel(pipelineId, id, reason, at) {
      const changed = await dbCall(() =>
        table()
          .where({ id, pipeline_id: pipelineId, status: 'running' })
          .update({ status: 'cancelled', reason: reasonColumn(reason), ended_at: at }),
      );
      return changed > 0;
    },
  };
}
