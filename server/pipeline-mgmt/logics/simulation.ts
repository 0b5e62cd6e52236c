import { createPreparation, pipelineSteps } from '../../common/prepare/preparation';
import type { ChainStats } from '../../common/processors/chain';
import type { CompiledProcessing } from '../../common/processors/processing';
import type { FailedRecord, IndexableRecord, ParsedRecord, SourceRecord } from '../../common/records';
import type {
  SimulatedDocument,
  SimulatedRecord,
  SimulationInput,
  StepTrace,
} from '../interfaces/simulateService';

/** What the simulation needs to know of the pipeline: the same settings the worker prepares with. */
export interface SimulationSettings {
  index: string;
  inputTopic: string;
  idField: string | null;
  processing: CompiledProcessing;
}

/** The bytes a worker would receive for an input: an object as its JSON, a string as is. */
export function inputValue(input: SimulationInput): Buffer {
  return Buffer.from(typeof input === 'string' ? input : JSON.stringify(input), 'utf8');
}

/** Input `i` as the worker would consume it: partition 0, offset `i` (the default `_id` follows from them). */
function sourceRecordOf(input: SimulationInput, i: number, topic: string, now: number): SourceRecord {
  return {
    topic,
    partition: 0,
    offset: String(i),
    timestamp: String(now),
    key: null,
    value: inputValue(input),
  };
}

const snapshot = (s: ChainStats): ChainStats => ({
  changed: [...s.changed],
  dropped: [...s.dropped],
  failed: [...s.failed],
});

/** What each processor did to one record: the chain's counters before and after it ran. */
function tracesOf(processing: CompiledProcessing, before: ChainStats | null): StepTrace[] {
  const chain = processing.chain;
  if (!chain || !before) return [];
  const after = chain.stats;
  return chain.processors.map((p) => {
    const i = p.index;
    const trace: StepTrace = { processor: i, op: p.op, changed: after.changed[i]! > before.changed[i]! };
    if (after.dropped[i]! > before.dropped[i]!) trace.dropped = true;
    if (after.failed[i]! > before.failed[i]!) trace.failed = true;
    return trace;
  });
}

function docOf(r: IndexableRecord, index: string): SimulatedDocument {
  const text = typeof r.source === 'string' ? r.source : r.source.toString('utf8');
  return { index: r.index ?? index, id: r.id, doc: JSON.parse(text) as Record<string, unknown> };
}

function failureOf(r: FailedRecord, steps: StepTrace[]): SimulatedRecord {
  return {
    status: 'failed',
    steps,
    error: {
      stage: r.stage,
      errorType: r.errorType,
      reason: r.reason,
      ...(r.detail ? { detail: r.detail } : {}),
    },
  };
}

function resultOf(r: ParsedRecord, index: string, steps: StepTrace[]): SimulatedRecord {
  if (r.kind === 'failed') return failureOf(r, steps);
  if (r.kind === 'index') return { status: 'indexed', ...docOf(r, index), steps };
  if (r.documents.length === 0) return { status: 'dropped', steps };
  const documents = r.documents.map((d) => docOf(d, index));
  return { status: 'indexed', ...documents[0]!, documents, steps };
}

/** Thrown when a simulation runs past its budget; the service answers 422 `simulation_too_slow`. */
export class SimulationBudgetExceeded extends Error {
  constructor(readonly done: number) {
    super(`the simulation took too long (${done} records done)`);
  }
}

/**
 * Runs records through the very steps a worker runs (decode, processors, schema, id, route; one
 * implementation, `common/prepare`), and says per record what it became and what each processor
 * did. Pure, apart from the clock: the budget is checked between records (each record is already
 * bounded by the processors' own limits).
 */
export function simulateRecords(
  settings: SimulationSettings,
  inputs: readonly SimulationInput[],
  { budgetMs, now = () => Date.now() }: { budgetMs: number; now?: () => number },
): SimulatedRecord[] {
  const prepare = createPreparation(
    pipelineSteps({ idField: settings.idField, processing: settings.processing }),
  );
  const started = now();
  return inputs.map((input, i) => {
    if (now() - started > budgetMs) throw new SimulationBudgetExceeded(i);
    const chain = settings.processing.chain;
    const before = chain ? snapshot(chain.stats) : null;
    const parsed = prepare(sourceRecordOf(input, i, settings.inputTopic, started));
    return resultOf(parsed, settings.index, tracesOf(settings.processing, before));
  });
}
