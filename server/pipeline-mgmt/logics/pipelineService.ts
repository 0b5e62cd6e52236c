import { randomUUID } from 'node:crypto';
import type { Pipeline } from '../../common/pipelines';
import type { Actor } from '../interfaces/actor';
import type { ObservedStatus } from '../interfaces/observed';
import type { PipelineList, PipelineListRequest, PipelineService } from '../interfaces/pipelineService';
import { ABANDONED_CREATE_AFTER_MS, GROUP_DELETE_WAIT_MS } from '../defaults';
import { createPipelineFlow } from './createPipeline';
import { decodeCursor, encodeCursor } from './cursor';
import { deletePipelineFlow } from './deletePipeline';
import { createObserveService } from './observeService';
import type { PipelineServiceDeps, ResolvedDeps } from './deps';
import { requireIngest, requireRole, visibleTeam } from './access';
import { getVisible } from './preconditions';
import { patchPipeline, replacePipeline, updateStatus } from './updatePipeline';

/** `observe` answers for every pipeline it is given. */
function observedOf(observed: Map<string, ObservedStatus>, p: Pipeline): ObservedStatus {
  const o = observed.get(p.id);
  if (!o) throw new Error(`no observed status for pipeline ${p.id}`);
  return o;
}

/** The control plane's logic. Knows the store, Kafka and OpenSearch only through their interfaces. */
export function createPipelineService(input: PipelineServiceDeps): PipelineService {
  const deps: ResolvedDeps = {
    newId: randomUUID,
    now: () => new Date(),
    abandonedCreateAfterMs: ABANDONED_CREATE_AFTER_MS,
    groupDeleteWaitMs: GROUP_DELETE_WAIT_MS,
    ...input,
    logger: input.logger.child({ component: 'pipeline-service' }),
  };
  const observer = createObserveService({ ...deps, settings: deps.observed });

  // Reads go through getVisible / visibleTeam: what the caller may not see does not exist for it.
  // Producer tokens read nothing: they only post records (pipelineForIngest).
  const getPipeline = async (id: string, actor: Actor) => {
    requireRole(actor, 'viewer', 'reading a pipeline');
    return (await getVisible(deps.store, id, actor)).pipeline;
  };
  const listPipelines = async (
    { limit, cursor, status, namePrefix, team }: PipelineListRequest,
    actor: Actor,
  ): Promise<PipelineList> => {
    requireRole(actor, 'viewer', 'listing pipelines');
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    const own = visibleTeam(actor);
    if (own !== undefined && team !== undefined && team !== own) return { items: [], nextCursor: null };
    const page = await deps.store.list({ limit, after, status, namePrefix, team: own ?? team });
    return { items: page.items, nextCursor: page.next ? encodeCursor(page.next) : null };
  };

  return {
    createPipeline: (body, actor) => createPipelineFlow(deps, body, actor),
    getPipeline,
    listPipelines,
    getPipelineView: async (id, actor) => {
      const p = await getPipeline(id, actor);
      return { ...p, observed: observedOf(await observer.observe([p]), p) };
    },
    listPipelineViews: async (request, actor) => {
      const page = await listPipelines(request, actor);
      const observed = await observer.observe(page.items);
      return { ...page, items: page.items.map((p) => ({ ...p, observed: observedOf(observed, p) })) };
    },
    replacePipeline: (id, fields, echo, options) => replacePipeline(deps, id, fields, echo, options),
    patchPipeline: (id, fields, echo, options) => patchPipeline(deps, id, fields, echo, options),
    updatePipelineStatus: (id, status, options) => updateStatus(deps, id, status, options),
    deletePipeline: (id, options) => deletePipelineFlow(deps, id, options),
    pipelineForIngest: async (id, actor) => {
      requireIngest(actor);
      return (await getVisible(deps.store, id, actor)).pipeline;
    },
    listTasks: async (id, actor) => {
      requireRole(actor, 'viewer', 'reading tasks');
      await getVisible(deps.store, id, actor);
      return observer.withLiveness(await deps.tasks.listForPipeline(id));
    },
    pipelineCounts: () => observer.pipelineCounts(),
  };
}
