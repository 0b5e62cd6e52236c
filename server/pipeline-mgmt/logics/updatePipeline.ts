import { ConflictError, InputError, PreconditionFailedError } from '../../common/errors';
import type { Pipeline, PipelineStatus } from '../../common/pipelines';
import type { Actor } from '../interfaces/actor';
import type { AuditDraft } from '../interfaces/auditLog';
import type { ImmutableEcho, PatchFields, ReplaceFields, UpdateOptions } from '../interfaces/pipelineService';
import type { MutableFields, PipelineChange } from '../interfaces/pipelineStore';
import { CAS_ATTEMPTS } from '../defaults';
import { requireRole } from './access';
import { assertTestsPass } from './pipelineTests';
import { checkProcessing } from './processingCheck';
import type { ResolvedDeps } from './deps';
import {
  assertNotDeleting,
  checkEcho,
  checkPrecondition,
  getVisible,
  pipelineNotFound,
} from './preconditions';

/**
 * Read, decide, compare-and-set on `version`. With explicit If-Match versions a lost race is a
 * 412; without, the change is recomputed on the fresh record a few times.
 */
async function applyUpdate(
  deps: ResolvedDeps,
  id: string,
  { actor, precondition }: UpdateOptions,
  decide: (current: Pipeline) => Promise<Omit<PipelineChange, 'updatedAt'> | undefined>,
): Promise<Pipeline> {
  for (let attempt = 1; attempt <= CAS_ATTEMPTS; attempt++) {
    const stored = await getVisible(deps.store, id, actor);
    requireRole(actor, 'editor', 'changing a pipeline');
    assertNotDeleting(stored);
    checkPrecondition(precondition, stored.pipeline.version);
    const change = await decide(stored.pipeline);
    if (!change) return stored.pipeline;
    const r = await deps.store.update(id, stored.pipeline.version, { ...change, updatedAt: deps.now() });
    if (r.result === 'updated') return r.pipeline;
    if (r.result === 'gone') throw pipelineNotFound(id);
    if (precondition?.kind === 'versions') {
      throw new PreconditionFailedError('pipeline was changed while this request was applied', { id });
    }
  }
  throw new ConflictError('pipeline is being changed by others; try again', 'concurrent_update', { id });
}

/**
 * The mutable fields with every default applied: what a create stores and what a PUT replaces
 * (a field left out returns to its default). The one place these defaults are written.
 */
export function withFieldDefaults(input: ReplaceFields): MutableFields {
  return {
    description: input.description ?? '',
    index: input.index,
    flush: {
      mib: input.flush?.mib ?? null,
      items: input.flush?.items ?? null,
      intervalSec: input.flush?.intervalSec ?? null,
    },
    idField: input.idField ?? null,
    outputEnabled: input.outputEnabled ?? true,
    processors: input.processors ?? [],
    indexTemplate: input.indexTemplate ?? null,
    schema: input.schema ?? null,
    tests: input.tests ?? [],
  };
}

/** The mutable fields of a pipeline (what a PUT replaces, what a rollback restores). */
export function mutableOf(p: Pipeline): MutableFields {
  return {
    description: p.description,
    index: p.index,
    flush: { ...p.flush },
    idField: p.idField,
    outputEnabled: p.outputEnabled,
    processors: p.processors,
    indexTemplate: p.indexTemplate,
    schema: p.schema,
    // Versions written before tests existed have none.
    tests: p.tests ?? [],
  };
}

async function checkIndex(deps: ResolvedDeps, next: MutableFields, current: Pipeline): Promise<void> {
  if (next.index === current.index) return;
  if (!(await deps.indices.exists(next.index))) {
    throw new InputError(`index "${next.index}" does not exist`, { index: next.index }, 'index_not_found');
  }
}

/** The audit entry of a change to a pipeline: field -> {from, to}. */
function auditOf(
  action: 'pipeline.update' | 'pipeline.status',
  actor: Actor,
  p: Pipeline,
  changes: Record<string, { from: unknown; to: unknown }>,
): AuditDraft {
  return {
    action,
    actor,
    target: { type: 'pipeline', id: p.id, name: p.name },
    team: p.team,
    details: { changes },
  };
}

function diff(before: MutableFields, after: MutableFields): Record<string, { from: unknown; to: unknown }> {
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const key of Object.keys(after) as Array<keyof MutableFields>) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) {
      changes[key] = { from: before[key], to: after[key] };
    }
  }
  return changes;
}

async function decideFields(
  deps: ResolvedDeps,
  current: Pipeline,
  next: MutableFields,
  echo: ImmutableEcho,
  options: UpdateOptions,
): Promise<Omit<PipelineChange, 'updatedAt'> | undefined> {
  checkEcho(echo, current);
  const changes = diff(mutableOf(current), next);
  if (Object.keys(changes).length === 0) return undefined; // nothing to change
  if (
    changes.processors ||
    changes.indexTemplate ||
    changes.schema ||
    changes.tests ||
    changes.idField ||
    changes.index
  ) {
    const processing = checkProcessing(next);
    assertTestsPass(next.tests, processing, {
      index: next.index,
      inputTopic: current.topics.input,
      idField: next.idField,
    });
  }
  await checkIndex(deps, next, current);
  return {
    fields: next,
    updatedBy: options.actor.user,
    audit: auditOf('pipeline.update', options.actor, current, changes),
  };
}

export function replacePipeline(
  deps: ResolvedDeps,
  id: string,
  fields: ReplaceFields,
  echo: ImmutableEcho,
  options: UpdateOptions,
): Promise<Pipeline> {
  const next = withFieldDefaults(fields);
  return applyUpdate(deps, id, options, (current) => decideFields(deps, current, next, echo, options));
}

export function patchPipeline(
  deps: ResolvedDeps,
  id: string,
  patch: PatchFields,
  echo: ImmutableEcho,
  options: UpdateOptions,
): Promise<Pipeline> {
  return applyUpdate(deps, id, options, (current) => {
    const base = mutableOf(current);
    const next: MutableFields = {
      description: patch.description ?? base.description,
      index: patch.index ?? base.index,
      flush: { ...base.flush, ...patch.flush },
      idField: patch.idField !== undefined ? patch.idField : base.idField,
      outputEnabled: patch.outputEnabled ?? base.outputEnabled,
      processors: patch.processors ?? base.processors,
      indexTemplate: patch.indexTemplate !== undefined ? patch.indexTemplate : base.indexTemplate,
      schema: patch.schema !== undefined ? patch.schema : base.schema,
      tests: patch.tests ?? base.tests,
    };
    return decideFields(deps, current, next, echo, options);
  });
}

/** Always writes, so `version` always moves: workers restart a failed task of a running pipeline on it. */
export function updateStatus(
  deps: ResolvedDeps,
  id: string,
  status: PipelineStatus,
  options: UpdateOptions,
): Promise<Pipeline> {
  return applyUpdate(deps, id, options, async (current) => ({
    status,
    updatedBy: options.actor.user,
    audit: auditOf('pipeline.status', options.actor, current, {
      status: { from: current.status, to: status },
    }),
  }));
}
