import { ConflictError, InputError } from '../../common/errors';
import { consumerGroupFor, Pipeline } from '../../common/pipelines';
import type { Actor } from '../interfaces/actor';
import type { AuditWriter } from '../interfaces/auditLog';
import type { OffsetAdmin, OffsetTarget, PartitionOffsets } from '../interfaces/offsetAdmin';
import type { OffsetService, PipelineOffsets } from '../interfaces/offsetService';
import type { PipelineService } from '../interfaces/pipelineService';
import { requireRole } from './access';

export interface OffsetServiceDeps {
  pipelines: Pick<PipelineService, 'getPipeline'>;
  offsets: OffsetAdmin;
  audit: AuditWriter;
}

function withLag(p: Pipeline, partitions: PartitionOffsets[]): PipelineOffsets {
  return {
    groupId: consumerGroupFor(p.id),
    topic: p.topics.input,
    partitions: partitions.map((x) => ({
      ...x,
      // A group that never committed resumes at the log start (auto.offset.reset earliest).
      lag: Number(BigInt(x.logEnd) - BigInt(x.committed ?? x.logStart)),
    })),
  };
}

/** The offset each partition moves to; every named partition must exist and stay inside its log. */
async function targetOffsets(
  admin: OffsetAdmin,
  topic: string,
  now: PartitionOffsets[],
  target: OffsetTarget,
): Promise<Array<{ partition: number; offset: string }>> {
  switch (target.kind) {
    case 'earliest':
      return now.map((p) => ({ partition: p.partition, offset: p.logStart }));
    case 'latest':
      return now.map((p) => ({ partition: p.partition, offset: p.logEnd }));
    case 'timestamp': {
      const found = new Map((await admin.offsetsAt(topic, target.at)).map((p) => [p.partition, p.offset]));
      return now.map((p) => {
        const at = found.get(p.partition);
        return { partition: p.partition, offset: at === undefined || at === '-1' ? p.logEnd : at };
      });
    }
    case 'offsets': {
      const byPartition = new Map(now.map((p) => [p.partition, p]));
      const problems: Array<{ path: string; message: string }> = [];
      const seen = new Set<number>();
      target.partitions.forEach((t, i) => {
        const p = byPartition.get(t.partition);
        const path = `/to/partitions/${i}`;
        if (!p)
          problems.push({ path: `${path}/partition`, message: `the topic has no partition ${t.partition}` });
        else if (BigInt(t.offset) < BigInt(p.logStart) || BigInt(t.offset) > BigInt(p.logEnd))
          problems.push({
            path: `${path}/offset`,
            message: `must be between the log start ${p.logStart} and the log end ${p.logEnd}`,
          });
        if (seen.has(t.partition)) problems.push({ path: `${path}/partition`, message: 'is given twice' });
        seen.add(t.partition);
      });
      if (problems.length > 0)
        throw new InputError('the offsets are not inside the topic', problems, 'invalid_offsets');
      return target.partitions.map((t) => ({ partition: t.partition, offset: t.offset }));
    }
  }
}

/**
 * Where a pipeline's workers resume: read for viewers of its team; moved by editors and admins on a
 * stopped pipeline only (a running group would overwrite the move with its next commit). A rewind
 * re-reads records the pipeline indexed before; their `_id`s are the same, so nothing is duplicated.
 */
export function createOffsetService(deps: OffsetServiceDeps): OffsetService {
  const { offsets } = deps;
  return {
    async get(pipelineId, actor) {
      const p = await deps.pipelines.getPipeline(pipelineId, actor);
      return withLag(p, await offsets.describe(consumerGroupFor(p.id), p.topics.input));
    },
    async move(pipelineId, target, actor: Actor) {
      const p = await deps.pipelines.getPipeline(pipelineId, actor);
      requireRole(actor, 'editor', 'moving offsets');
      if (p.status !== 'stopped')
        throw new ConflictError(
          `pipeline "${p.name}" is running: stop it (PUT .../status) before moving its offsets`,
          'pipeline_running',
        );
      const groupId = consumerGroupFor(p.id);
      const members = await offsets.activeMembers(groupId);
      if (members > 0)
        throw new ConflictError(
          `${members} worker(s) are still in the pipeline's consumer group; try again once they have stopped (seconds)`,
          'group_active',
        );
      const before = await offsets.describe(groupId, p.topics.input);
      const to = await targetOffsets(offsets, p.topics.input, before, target);
      await offsets.commit(groupId, p.topics.input, to);
      const after = await offsets.describe(groupId, p.topics.input);
      await deps.audit.record({
        action: 'pipeline.offsets',
        actor,
        target: { type: 'pipeline', id: p.id, name: p.name },
        team: p.team,
        details: {
          to: target.kind === 'timestamp' ? { timestamp: target.at.toISOString() } : target.kind,
          partitions: before.map((b) => ({
            partition: b.partition,
            from: b.committed,
            to: after.find((a) => a.partition === b.partition)?.committed ?? null,
          })),
        },
      });
      return withLag(p, after);
    },
  };
}
