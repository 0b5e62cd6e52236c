import { InputError } from '../../common/errors';
import { topicNamesFor } from '../../common/pipelines';
import type { IndexDefinition } from '../interfaces/indexAdmin';
import type { MappingCheck, TrialDocument } from '../interfaces/mappingCheck';
import type { PipelineService } from '../interfaces/pipelineService';
import type { SimulatedRecord, SimulateService, SimulationInput } from '../interfaces/simulateService';
import { MAX_SIMULATED_RECORDS, SIMULATION_BUDGET_MS } from '../defaults';
import { requireRole } from './access';
import { checkProcessing } from './processingCheck';
import { simulateRecords, SimulationBudgetExceeded, SimulationSettings } from './simulation';

export interface SimulateServiceDeps {
  pipelines: Pick<PipelineService, 'getPipeline'>;
  mappings: MappingCheck;
  /** Wall-clock budget of one request's records (ms). */
  budgetMs?: number;
}

/** The name a not-yet-created pipeline is simulated under when its body has none (for its topic, hence its default ids). */
const UNNAMED = 'simulated';

function checkCount(records: readonly SimulationInput[]): void {
  if (records.length === 0 || records.length > MAX_SIMULATED_RECORDS)
    throw new InputError(`records must hold 1 to ${MAX_SIMULATED_RECORDS} records (got ${records.length})`, [
      { path: 'records', message: `must hold 1 to ${MAX_SIMULATED_RECORDS} records` },
    ]);
}

function run(
  settings: SimulationSettings,
  records: readonly SimulationInput[],
  budgetMs: number,
): SimulatedRecord[] {
  try {
    return simulateRecords(settings, records, { budgetMs });
  } catch (e) {
    if (!(e instanceof SimulationBudgetExceeded)) throw e;
    throw new InputError(
      `${e.message}: send fewer or smaller records (budget ${budgetMs} ms)`,
      [{ path: 'records', message: `simulation stopped after ${e.done} records` }],
      'simulation_too_slow',
    );
  }
}

/**
 * The mapping check on top: every document a record became is tried against its target index's
 * mapping in a scratch index; one OpenSearch refuses turns its record `failed`, stage `index`,
 * with OpenSearch's error type and reason. The target index is never written.
 */
async function checkMappings(
  mappings: MappingCheck,
  results: SimulatedRecord[],
  proposed: IndexDefinition | undefined,
): Promise<SimulatedRecord[]> {
  const trials: TrialDocument[] = [];
  const owners: number[] = [];
  results.forEach((r, i) => {
    if (r.status !== 'indexed') return;
    for (const d of r.documents ?? [{ index: r.index!, id: r.id!, doc: r.doc! }]) {
      trials.push({ index: d.index, id: d.id, source: JSON.stringify(d.doc) });
      owners.push(i);
    }
  });
  if (trials.length === 0) return results;
  const outcomes = await mappings.check(trials, proposed ? { proposed } : {});
  const out = [...results];
  outcomes.forEach((o, k) => {
    const i = owners[k]!;
    if (o.accepted || out[i]!.status === 'failed') return;
    out[i] = {
      ...out[i]!,
      status: 'failed',
      error: {
        stage: 'index',
        errorType: o.errorType,
        reason: `${trials[k]!.index} would refuse the document: ${o.reason}`,
      },
    };
  });
  return out;
}

/**
 * Simulate: records through a pipeline's compiled steps (its own, or the settings to try), then
 * the live target mapping. Read-only: viewers of the pipeline's team may simulate it; a pipeline
 * that does not exist yet needs an editor (whoever could create it).
 */
export function createSimulateService({
  pipelines,
  mappings,
  budgetMs = SIMULATION_BUDGET_MS,
}: SimulateServiceDeps): SimulateService {
  return {
    async simulate(id, records, overrides, actor) {
      checkCount(records);
      const p = await pipelines.getPipeline(id, actor);
      const fields = {
        processors: overrides.processors ?? p.processors,
        indexTemplate: overrides.indexTemplate !== undefined ? overrides.indexTemplate : p.indexTemplate,
        schema: overrides.schema !== undefined ? overrides.schema : p.schema,
      };
      const settings: SimulationSettings = {
        index: p.index,
        inputTopic: p.topics.input,
        idField: overrides.idField !== undefined ? overrides.idField : p.idField,
        processing: checkProcessing(fields),
      };
      return checkMappings(mappings, run(settings, records, budgetMs), undefined);
    },
    async simulateNew(pipeline, records, actor) {
      requireRole(actor, 'editor', 'simulating a new pipeline');
      checkCount(records);
      const settings: SimulationSettings = {
        index: pipeline.index,
        inputTopic: topicNamesFor(pipeline.name ?? UNNAMED).input,
        idField: pipeline.idField ?? null,
        processing: checkProcessing({
          processors: pipeline.processors ?? [],
          indexTemplate: pipeline.indexTemplate ?? null,
          schema: pipeline.schema ?? null,
        }),
      };
      return checkMappings(mappings, run(settings, records, budgetMs), pipeline.createIndex);
    },
  };
}
