import { Counter, Registry } from 'prom-client';
import type { Pipeline } from '../../common/pipelines';
import type { CompiledProcessing } from '../../common/processors/processing';
import type { SchemaStats } from '../../common/prepare/schema';

type Labels = Record<string, string>;

interface Tracked {
  pipeline: Pick<Pipeline, 'id' | 'name'>;
  processing: CompiledProcessing;
  schema: SchemaStats;
}

/** Each series of one tracked task's counts, with its labels. */
function seriesOf(t: Tracked): { processors: Array<[Labels, number]>; schema: Array<[Labels, number]> } {
  const p = { pipeline: t.pipeline.id, pipeline_name: t.pipeline.name };
  const processors: Array<[Labels, number]> = [];
  const chain = t.processing.chain;
  if (chain) {
    for (const c of chain.processors) {
      const l = { ...p, processor: String(c.index), operation: c.op };
      processors.push([{ ...l, outcome: 'changed' }, chain.stats.changed[c.index]!]);
      processors.push([{ ...l, outcome: 'dropped' }, chain.stats.dropped[c.index]!]);
      processors.push([{ ...l, outcome: 'failed' }, chain.stats.failed[c.index]!]);
    }
  }
  const schema: Array<[Labels, number]> = [];
  const mode = t.processing.schema?.mode;
  if (mode) for (const [path, n] of t.schema.byPath) schema.push([{ ...p, mode, path }, n]);
  return { processors, schema };
}

/**
 * Per pipeline and processor: records changed, dropped and failed; schema failures by error path
 * (bounded to 20 paths per pipeline). The chain counts in plain numbers on the record path (no
 * metric call per record); these counters read them when scraped. A task restarted with a new chain
 * adds its predecessor's totals to the base, so the counters never go down.
 */
export function createProcessingMetrics(registry: Registry) {
  const current = new Map<string, Tracked>();
  const base = {
    processors: new Map<string, [Labels, number]>(),
    schema: new Map<string, [Labels, number]>(),
  };
  const fold = (into: Map<string, [Labels, number]>, list: Array<[Labels, number]>) => {
    for (const [labels, n] of list) {
      const key = JSON.stringify(labels);
      const prev = into.get(key);
      into.set(key, [labels, (prev?.[1] ?? 0) + n]);
    }
  };
  const emit = (c: Counter, which: 'processors' | 'schema') => {
    c.reset();
    const totals = new Map(base[which]);
    for (const t of current.values()) fold(totals, seriesOf(t)[which]);
    for (const [labels, n] of totals.values()) c.inc(labels, n);
  };
  new Counter({
    name: 'sdp_worker_processor_records_total',
    help: 'Records a processor changed, dropped or failed on, per pipeline and processor (position and operation)',
    labelNames: ['pipeline', 'pipeline_name', 'processor', 'operation', 'outcome'],
    registers: [registry],
    collect() {
      emit(this, 'processors');
    },
  });
  new Counter({
    name: 'sdp_worker_schema_failures_total',
    help: 'JSON Schema errors per pipeline, mode (enforce: refused, warn: indexed anyway) and error path (at most 20 paths, then other)',
    labelNames: ['pipeline', 'pipeline_name', 'mode', 'path'],
    registers: [registry],
    collect() {
      emit(this, 'schema');
    },
  });
  return {
    /** A task of `pipeline` started with this processing: its counts are read from now on. */
    track(
      pipeline: Pick<Pipeline, 'id' | 'name'>,
      processing: CompiledProcessing,
      schema: SchemaStats,
    ): void {
      const old = current.get(pipeline.id);
      if (old) {
        const s = seriesOf(old);
        fold(base.processors, s.processors);
        fold(base.schema, s.schema);
      }
      current.set(pipeline.id, { pipeline, processing, schema });
    },
  };
}
