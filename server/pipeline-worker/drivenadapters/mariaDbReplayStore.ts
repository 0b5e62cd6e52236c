import type { Knex } from 'knex';
import {
  countersToRow,
  reasonColumn,
  Replay,
  replayFromRow,
  ReplayRow,
  REPLAYS_TABLE,
} from '../../common/replays';
import type { ReplayProgress, ReplayStanding, ReplayStore } from '../interfaces/replayStore';

/** Candidates looked at per claim. */
const CLAIM_CANDIDATES = 5;

function progressColumns(p: ReplayProgress) {
  return {
    positions: JSON.stringify(p.positions),
    ...countersToRow(p.counters),
    report: p.report === null ? null : JSON.stringify(p.report),
  };
}

/**
 * `pipeline_replays` for workers. A claim is a compare-and-set: the UPDATE repeats the conditions
 * the candidate was selected on (running; no owner, or a heartbeat older than the stale bound), so of
 * two workers racing for it only one changes the row. Every later write is conditional on still
 * being the owner, so a worker that lost its claim (it stalled, another worker took over) can never
 * overwrite the new owner's progress.
 */
export function createMariaDbReplayStore({
  db,
  now = () => new Date(),
}: {
  db: Knex;
  now?: () => Date;
}): ReplayStore {
  const table = () => db<ReplayRow>(REPLAYS_TABLE);

  /** After a conditional write: whether the worker still holds the replay, and whether it was cancelled. */
  async function standing(id: string, workerId: string, changed: number): Promise<ReplayStanding> {
    const row = (await table().where({ id }).first('status', 'owner_worker')) as
      Pick<ReplayRow, 'status' | 'owner_worker'> | undefined;
    if (!row || row.owner_worker !== workerId) return 'lost';
    if (row.status === 'cancelled') return 'cancelled';
    return changed > 0 && row.status === 'running' ? 'mine' : 'lost';
  }

  return {
    async claim(workerId, staleMs) {
      const at = now();
      const cutoff = new Date(at.getTime() - staleMs);
      const claimable = (q: Knex.QueryBuilder) =>
        q
          .where('status', 'running')
          .andWhere((w) =>
            w.whereNull('owner_worker').orWhereNull('heartbeat_at').orWhere('heartbeat_at', '<', cutoff),
          );
      const candidates = (await claimable(table().select('id'))
        .orderBy('created_at')
        .limit(CLAIM_CANDIDATES)) as Array<{ id: string }>;
      for (const { id } of candidates) {
        const changed = await claimable(table().where({ id })).update({
          owner_worker: workerId,
          heartbeat_at: at,
          claims: db.raw('claims + 1'),
        });
        if (changed === 1) {
          const row = (await table().where({ id }).first()) as ReplayRow | undefined;
          if (row && row.owner_worker === workerId) return replayFromRow(row) satisfies Replay;
        }
      }
      return null;
    },
    async heartbeat(id, workerId) {
      const changed = await table()
        .where({ id, owner_worker: workerId, status: 'running' })
        .update({ heartbeat_at: now() });
      return standing(id, workerId, changed);
    },
    async saveProgress(id, workerId, progress) {
      // Saved even once cancelled: the counters then say what the replay did before it stopped.
      const changed = await table()
        .where({ id, owner_worker: workerId })
        .whereIn('status', ['running', 'cancelled'])
        .update({ ...progressColumns(progress), heartbeat_at: now() });
      return standing(id, workerId, changed);
    },
    async release(id, workerId, progress) {
      await table()
        .where({ id, owner_worker: workerId })
        .whereIn('status', ['running', 'cancelled'])
        .update({
          ...progressColumns(progress),
          owner_worker: null,
          heartbeat_at: null,
          claims: db.raw('GREATEST(claims, 1) - 1'),
        });
    },
    async finish(id, workerId, end) {
      const at = now();
      if (end.progress)
        await table()
          .where({ id, owner_worker: workerId })
          .whereIn('status', ['running', 'cancelled'])
          .update(progressColumns(end.progress));
      const changed = await table()
        .where({ id, owner_worker: workerId, status: 'running' })
        .update({
          status: end.status,
          reason: end.reason === undefined ? null : reasonColumn(end.reason),
          ended_at: at,
          heartbeat_at: at,
        });
      return changed > 0 ? 'mine' : standing(id, workerId, 0);
    },
  };
}
