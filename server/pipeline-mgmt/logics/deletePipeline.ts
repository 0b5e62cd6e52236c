import { ConflictError } from '../../common/errors';
import { consumerGroupFor, Pipeline } from '../../common/pipelines';
import { retry } from '../../common/retry';
import type { UpdateOptions } from '../interfaces/pipelineService';
import type { StoredPipeline } from '../interfaces/pipelineStore';
import { CAS_ATTEMPTS, GROUP_DELETE_BACKOFF } from '../defaults';
import { requireRole } from './access';
import type { ResolvedDeps } from './deps';
import { checkPrecondition, getVisible, pipelineNotFound } from './preconditions';

class GroupNotEmpty extends Error {}

/** Stops the pipeline and marks it `deleting`, so a failed delete can be finished by a retry. */
async function markDeleting(
  deps: ResolvedDeps,
  stored: StoredPipeline,
  options: UpdateOptions & { force: boolean },
) {
  const p = stored.pipeline;
  if (p.status === 'running' && !options.force) {
    throw new ConflictError(
      `pipeline "${p.name}" is running; stop it first or pass ?force=true`,
      'pipeline_running',
      { id: p.id },
    );
  }
  const r = await deps.store.update(p.id, p.version, {
    status: 'stopped',
    lifecycle: 'deleting',
    updatedBy: options.actor.user,
    updatedAt: deps.now(),
  });
  if (r.result === 'gone') throw pipelineNotFound(p.id);
  return r.result === 'updated';
}

/** Deletes the group; a group that is still in use (workers leaving) is waited for a little, then left to expire. */
async function deleteGroup(deps: ResolvedDeps, p: Pipeline): Promise<void> {
  const groupId = consumerGroupFor(p.id);
  const log = deps.logger.child({ pipelineId: p.id, groupId });
  const deadline = Date.now() + deps.groupDeleteWaitMs;
  try {
    await retry(
      async () => {
        const r = await deps.topics.deleteConsumerGroup(groupId);
        if (r === 'not_empty') throw new GroupNotEmpty(groupId);
        return r;
      },
      {
        ...GROUP_DELETE_BACKOFF,
        maxAttempts: Infinity,
        isRetriable: (e) => e instanceof GroupNotEmpty && Date.now() < deadline,
      },
    );
  } catch (e: unknown) {
    if (!(e instanceof GroupNotEmpty)) throw e;
    log.warn('consumer group still has members; left for Kafka to expire');
  }
}

/**
 * The original design's delete flow: check the status (a running pipeline needs `force`, which
 * stops it), delete the topics, the consumer group, the task rows and the record.
 */
export async function deletePipelineFlow(
  deps: ResolvedDeps,
  id: string,
  options: UpdateOptions & { force: boolean },
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const stored = await getVisible(deps.store, id, options.actor);
    requireRole(options.actor, 'editor', 'deleting a pipeline');
    // A record already `deleting` was agreed to be deleted: a retry finishes it whatever If-Match says.
    if (stored.lifecycle === 'deleting') break;
    checkPrecondition(options.precondition, stored.pipeline.version);
    if (await markDeleting(deps, stored, options)) break;
    if (attempt >= CAS_ATTEMPTS) {
      throw new ConflictError('pipeline is being changed by others; try again', 'concurrent_update', { id });
    }
  }
  const p = (await getVisible(deps.store, id, options.actor)).pipeline;
  const { input, output, error } = p.topics;
  const deleted = await deps.topics.deleteTopics([input, output, error]);
  await deleteGroup(deps, p);
  await deps.store.remove(id, {
    action: 'pipeline.delete',
    actor: options.actor,
    target: { type: 'pipeline', id, name: p.name },
    team: p.team,
    details: { force: options.force, topics: deleted },
  });
  deps.logger.info({ pipelineId: id, pipeline: p.name, topics: deleted }, 'pipeline deleted');
}
