import { randomUUID } from 'node:crypto';
import { ConflictError, InputError, NotFoundError } from '../../common/errors';
import type { Pipeline } from '../../common/pipelines';
import { compileReplayFilter } from '../../common/replayFilter';
import {
  DEFAULT_REPLAY_RATE_PER_SEC,
  MAX_REPLAY_RATE_PER_SEC,
  MAX_REPLAY_RECORDS,
  PartitionOffsetMap,
  Replay,
  ReplayFilter,
} from '../../common/replays';
import type { Actor } from '../interfaces/actor';
import type { AuditWriter } from '../interfaces/auditLog';
import type { OffsetAdmin } from '../interfaces/offsetAdmin';
import type { PipelineService } from '../interfaces/pipelineService';
import type { ReplayRecords } from '../interfaces/replayStore';
import type { ReplayService } from '../interfaces/replayService';
import { requireRole } from './access';
import { decodeCursor, encodeCursor } from './cursor';

export interface ReplayServiceDeps {
  pipelines: Pick<PipelineService, 'getPipeline'>;
  offsets: Pick<OffsetAdmin, 'logBounds' | 'offsetsAt'>;
  records: ReplayRecords;
  audit: AuditWriter;
  newId?: () => string;
  now?: () => Date;
}

const max = (a: bigint, b: bigint) => (a > b ? a : b);
const min = (a: bigint, b: bigint) => (a < b ? a : b);

/**
 * The error topic's slice a replay covers, per partition: from the log start (or the first record
 * written at `since`) to the log end now (or the first record written at `until`). The end is fixed
 * here, at the start: records the replay itself sends back to the error topic lie beyond it, so a
 * replay never loops on its own failures.
 */
export async function replayBounds(
  offsets: ReplayServiceDeps['offsets'],
  topic: string,
  filter: ReplayFilter,
): Promise<{ start: PartitionOffsetMap; end: PartitionOffsetMap }> {
  const parts = await offsets.logBounds(topic);
  const lower = new Map(parts.map((x) => [x.partition, BigInt(x.logStart)]));
  const upper = new Map(parts.map((x) => [x.partition, BigInt(x.logEnd)]));
  if (filter.since !== undefined)
    for (const { partition, offset } of await offsets.offsetsAt(topic, new Date(filter.since)))
      lower.set(
        partition,
        offset === '-1' ? (upper.get(partition) ?? 0n) : max(lower.get(partition) ?? 0n, BigInt(offset)),
      );
  if (filter.until !== undefined)
    for (const { partition, offset } of await offsets.offsetsAt(topic, new Date(filter.until)))
      if (offset !== '-1') upper.set(partition, min(upper.get(partition) ?? 0n, BigInt(offset)));
  const start: PartitionOffsetMap = {};
  const end: PartitionOffsetMap = {};
  for (const { partition } of parts) {
    const hi = upper.get(partition) ?? 0n;
    start[String(partition)] = String(min(lower.get(partition) ?? 0n, hi));
    end[String(partition)] = String(hi);
  }
  return { start, end };
}

function checkRequest(filter: ReplayFilter, maxRecords?: number, ratePerSec?: number): void {
  const compiled = compileReplayFilter(filter);
  const problems = 'problems' in compiled ? [...compiled.problems] : [];
  if (
    maxRecords !== undefined &&
    (!Number.isInteger(maxRecords) || maxRecords < 1 || maxRecords > MAX_REPLAY_RECORDS)
  )
    problems.push({ path: 'maxRecords', message: `must be an integer from 1 to ${MAX_REPLAY_RECORDS}` });
  if (ratePerSec !== undefined && !(ratePerSec > 0 && ratePerSec <= MAX_REPLAY_RATE_PER_SEC))
    problems.push({ path: 'ratePerSec', message: `must be above 0 and at most ${MAX_REPLAY_RATE_PER_SEC}` });
  if (problems.length > 0) throw new InputError('the replay request is invalid', problems, 'invalid_replay');
}

/**
 * Replays for the API. Creating one checks the request, snapshots the error topic's offsets and
 * stores it as `running`; a worker claims and performs it (pipeline-worker's replaySupervisor).
 * Viewers of the pipeline's team read replays; editors and admins start and cancel them; both are
 * audited.
 */
export function createReplayService(deps: ReplayServiceDeps): ReplayService {
  const now = deps.now ?? (() => new Date());
  const newId = deps.newId ?? randomUUID;

  async function found(p: Pipeline, replayId: string): Promise<Replay> {
    const r = await deps.records.get(p.id, replayId);
    if (!r) throw new NotFoundError(`pipeline "${p.name}" has no replay "${replayId}"`, 'replay_not_found');
    return r;
  }

  return {
    async create(pipelineId, request, actor: Actor) {
      const p = await deps.pipelines.getPipeline(pipelineId, actor);
      requireRole(actor, 'editor', 'replaying failed records');
      checkRequest(request.filter, request.maxRecords, request.ratePerSec);
      const { start, end } = await replayBounds(deps.offsets, p.topics.error, request.filter);
      const replay = await deps.records.insert({
        id: newId(),
        pipelineId: p.id,
        filter: request.filter,
        options: {
          dryRun: request.dryRun,
          maxRecords: request.maxRecords ?? null,
          ratePerSec: request.ratePerSec ?? DEFAULT_REPLAY_RATE_PER_SEC,
        },
        startOffsets: start,
        endOffsets: end,
        createdBy: actor.user,
        createdAt: now(),
      });
      await deps.audit.record({
        action: 'pipeline.replay',
        actor,
        target: { type: 'pipeline', id: p.id, name: p.name },
        team: p.team,
        details: {
          replayId: replay.id,
          filter: request.filter,
          dryRun: replay.options.dryRun,
          maxRecords: replay.options.maxRecords,
          ratePerSec: replay.options.ratePerSec,
          endOffsets: end,
        },
      });
      return replay;
    },
    async list(pipelineId, q, actor) {
      const p = await deps.pipelines.getPipeline(pipelineId, actor);
      const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
      const page = await deps.records.list(p.id, { limit: q.limit, after, status: q.status });
      return { items: page.items, nextCursor: page.next ? encodeCursor(page.next) : null };
    },
    async get(pipelineId, replayId, actor) {
      return found(await deps.pipelines.getPipeline(pipelineId, actor), replayId);
    },
    async cancel(pipelineId, replayId, actor) {
      const p = await deps.pipelines.getPipeline(pipelineId, actor);
      requireRole(actor, 'editor', 'cancelling a replay');
      const before = await found(p, replayId);
      if (
        before.status !== 'running' ||
        !(await deps.records.cancel(p.id, replayId, `cancelled by ${actor.user}`, now()))
      )
        throw new ConflictError(
          `replay "${replayId}" has ended already (${(await found(p, replayId)).status})`,
          'replay_ended',
        );
      await deps.audit.record({
        action: 'pipeline.replay.cancel',
        actor,
        target: { type: 'pipeline', id: p.id, name: p.name },
        team: p.team,
        details: { replayId, counts: before.counters },
      });
      return found(p, replayId);
    },
  };
}
