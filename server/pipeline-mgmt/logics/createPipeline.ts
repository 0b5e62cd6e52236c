import { ConflictError, InputError } from '../../common/errors';
import type { Logger } from '../../common/logger';
import { Pipeline, topicNamesFor } from '../../common/pipelines';
import type { Actor, CreatePipelineInput } from '../interfaces/pipelineService';
import type { AuditDraft } from '../interfaces/auditLog';
import type { IndexDefinition } from '../interfaces/indexAdmin';
import type { StoredPipeline } from '../interfaces/pipelineStore';
import { teamForNewPipeline } from './access';
import type { ResolvedDeps } from './deps';
import { assertTestsPass } from './pipelineTests';
import { checkProcessing } from './processingCheck';
import { UndoStack } from './undo';
import { withFieldDefaults } from './updatePipeline';

function newRecord(
  deps: ResolvedDeps,
  input: CreatePipelineInput,
  actor: Actor,
  team: string | null,
): Pipeline {
  const at = deps.now().toISOString();
  return {
    id: deps.newId(),
    name: input.name,
    ...withFieldDefaults(input),
    topics: topicNamesFor(input.name),
    partitions: input.partitions ?? deps.defaults.partitions,
    replicationFactor: input.replicationFactor ?? deps.defaults.replicationFactor,
    // A record being created is never `running`: workers must not pick it up half-made.
    status: 'stopped',
    version: 1,
    team,
    createdBy: actor.user,
    updatedBy: actor.user,
    createdAt: at,
    updatedAt: at,
  };
}

const nameTaken = (name: string) =>
  new ConflictError(`a pipeline named "${name}" already exists`, 'pipeline_exists', { name });

/**
 * Cleans up after a create that died half-way (`taken`, as `reserve` read it), then lets the
 * caller try the name again. The compare-and-set on its version makes one caller the cleaner.
 */
async function reclaimAbandoned(deps: ResolvedDeps, taken: StoredPipeline, log: Logger): Promise<void> {
  const { store, topics, indices } = deps;
  const name = taken.pipeline.name;
  if (taken.lifecycle !== 'creating') throw nameTaken(name);
  log.warn({ abandonedId: taken.pipeline.id }, 'cleaning up an abandoned create');
  const claimed = await store.update(taken.pipeline.id, taken.pipeline.version, {
    updatedBy: 'sdp-reclaim',
    updatedAt: deps.now(),
  });
  if (claimed.result !== 'updated') throw nameTaken(name);
  const t = taken.pipeline.topics;
  await topics.deleteTopics([t.input, t.output, t.error]);
  if (taken.indexCreated) await indices.delete(taken.pipeline.index);
  await store.removeReservation(taken.pipeline.id);
}

/** Takes the name in MariaDB before anything else; the unique key decides between concurrent creates. */
async function reserveName(deps: ResolvedDeps, record: Pipeline, log: Logger): Promise<void> {
  const first = await deps.store.reserve(record, { indexCreated: false });
  if (first.result === 'reserved') return;
  const existing = first.existing;
  const abandoned =
    existing?.lifecycle === 'creating' &&
    deps.now().getTime() - Date.parse(existing.pipeline.createdAt) > deps.abandonedCreateAfterMs;
  if (!existing || !abandoned) throw nameTaken(record.name);
  await reclaimAbandoned(deps, existing, log);
  const second = await deps.store.reserve(record, { indexCreated: false });
  if (second.result !== 'reserved') throw nameTaken(record.name);
}

async function ensureIndex(
  deps: ResolvedDeps,
  record: Pipeline,
  input: CreatePipelineInput,
  undo: UndoStack,
): Promise<void> {
  const { indices } = deps;
  const exists = await indices.exists(record.index);
  if (exists && input.createIndex) {
    throw new ConflictError(
      `index "${record.index}" already exists; leave out createIndex to use it`,
      'index_exists',
      { index: record.index },
    );
  }
  if (exists) return;
  if (!input.createIndex) {
    throw new InputError(
      `index "${record.index}" does not exist; create it first or pass createIndex`,
      { index: record.index },
      'index_not_found',
    );
  }
  let made: 'created' | 'exists';
  try {
    made = await indices.create(record.index, input.createIndex);
  } catch (e: unknown) {
    // It did not exist a moment ago: if a failed call made it anyway, it is ours to remove.
    if (!(e instanceof InputError))
      undo.push(`delete index ${record.index} if made`, () => indices.delete(record.index));
    throw e;
  }
  if (made === 'exists') {
    throw new ConflictError(`index "${record.index}" was created by someone else meanwhile`, 'index_exists', {
      index: record.index,
    });
  }
  undo.push(`delete index ${record.index}`, () => indices.delete(record.index));
  await deps.store.markIndexCreated(record.id);
}

/** The OpenSearch index template of a pipeline's routed indices. */
export const indexTemplateNameFor = (pipelineName: string) => `sdp-${pipelineName.replace(/_/g, '-')}`;

/**
 * With `createIndex` and an `indexTemplate`, every routed index gets the same settings and mappings:
 * an OpenSearch index template for the routed pattern (`orders-*`), removed again if the create fails.
 */
async function installIndexTemplate(
  deps: ResolvedDeps,
  record: Pipeline,
  pattern: string,
  definition: IndexDefinition,
  undo: UndoStack,
): Promise<void> {
  const name = indexTemplateNameFor(record.name);
  await deps.indices.putTemplate(name, [pattern], definition);
  undo.push(`delete index template ${name}`, () => deps.indices.deleteTemplate(name));
}

async function createTopics(deps: ResolvedDeps, record: Pipeline, undo: UndoStack): Promise<void> {
  const { partitions, replicationFactor } = record;
  const names = [record.topics.input, record.topics.output, record.topics.error];
  // One topic per call (kafkajs skips waiting for leaders when a batch mixes new and existing
  // topics); the three calls run side by side and each outcome gets its own undo.
  const outcomes = await Promise.allSettled(
    names.map((name) => deps.topics.createTopic({ name, partitions, replicationFactor })),
  );
  let failure: unknown;
  outcomes.forEach((outcome, i) => {
    const name = names[i] as string;
    if (outcome.status === 'fulfilled' && outcome.value === 'created') {
      undo.push(`delete topic ${name}`, () => deps.topics.deleteTopics([name]));
    } else if (outcome.status === 'fulfilled') {
      failure ??= new ConflictError(`Kafka topic "${name}" already exists`, 'topic_exists', { topic: name });
    } else {
      // A call that failed late (e.g. waiting for leaders) may have made the topic; the name is
      // ours (reserved), so whatever exists under it now is removed.
      if (!(outcome.reason instanceof InputError)) {
        undo.push(`delete topic ${name} if made`, () => deps.topics.deleteTopics([name]));
      }
      failure ??= outcome.reason;
    }
  });
  if (failure !== undefined) throw failure;
}

/**
 * The original design's create flow: reserve the name, check (or create) the index, create the
 * input, output and error topics, then make the record `ready` with the requested status. A failing
 * step undoes the earlier ones (newest first), and the reservation is released last.
 */
export async function createPipelineFlow(
  deps: ResolvedDeps,
  input: CreatePipelineInput,
  actor: Actor,
): Promise<Pipeline> {
  const team = teamForNewPipeline(actor, input.team);
  const record = newRecord(deps, input, actor, team);
  const processing = checkProcessing(record);
  assertTestsPass(record.tests, processing, {
    index: record.index,
    inputTopic: record.topics.input,
    idField: record.idField,
  });
  const log = deps.logger.child({ pipelineId: record.id, pipeline: record.name });
  await reserveName(deps, record, log);
  const undo = new UndoStack(log);
  undo.push('release name', () => deps.store.removeReservation(record.id));
  try {
    await ensureIndex(deps, record, input, undo);
    if (input.createIndex && processing.indexTemplate)
      await installIndexTemplate(deps, record, processing.indexTemplate.pattern, input.createIndex, undo);
    await createTopics(deps, record, undo);
    const status = input.status ?? 'running';
    const audit: AuditDraft = {
      action: 'pipeline.create',
      actor,
      target: { type: 'pipeline', id: record.id, name: record.name },
      team,
      details: {
        index: record.index,
        status,
        partitions: record.partitions,
        indexCreated: !!input.createIndex,
      },
    };
    const activated = await deps.store.activate(record.id, status, deps.now(), audit);
    if (activated.result === 'taken_over') {
      throw new ConflictError('the reservation of this name was taken over', 'pipeline_exists');
    }
    const created = activated.pipeline;
    log.info({ status: created.status }, 'pipeline created');
    return created;
  } catch (e: unknown) {
    const { failed } = await undo.run();
    if (failed.length > 0) log.error({ failed }, 'create failed and could not be fully undone');
    throw e;
  }
}
