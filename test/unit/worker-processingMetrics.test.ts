import { Registry } from 'prom-client';
import { compileProcessing } from '../../server/common/processors/processing';
import { createProcessingMetrics } from '../../server/pipeline-worker/driveradapters/processingMetrics';
import { createPreparation, pipelineSteps } from '../../server/common/prepare/preparation';
import { newSchemaStats } from '../../server/common/prepare/schema';

const pipeline = { id: 'p1', name: 'orders' };

function task(processors: unknown[]) {
  const r = compileProcessing({
    processors,
    indexTemplate: null,
    schema: { mode: 'enforce', jsonSchema: { type: 'object', required: ['id'] } },
  });
  if (!('compiled' in r)) throw new Error('compile');
  const schemaStats = newSchemaStats();
  const prepare = createPreparation(pipelineSteps({ idField: null, processing: r.compiled, schemaStats }));
  const feed = (value: string) =>
    prepare({ topic: 't', partition: 0, offset: '1', timestamp: '0', key: null, value: Buffer.from(value) });
  return { compiled: r.compiled, schemaStats, feed };
}

describe('processor and schema metrics', () => {
  it('count per processor and outcome, and schema failures by path, read at scrape time', async () => {
    const registry = new Registry();
    const m = createProcessingMetrics(registry);
    const t = task([{ lowercase: { field: 'a', onFailure: 'skip' } }, { drop: { if: 'doc.a == "x"' } }]);
    m.track(pipeline, t.compiled, t.schemaStats);
    t.feed('{"a":"X","id":1}'); // changed by 0, dropped by 1
    t.feed('{"id":1}'); // no a: failed (skipped) at 0, then the if fails at 1
    t.feed('{"a":"y"}'); // schema: id missing
    const text = await registry.metrics();
    const line = (processor: string, op: string, outcome: string) =>
      `sdp_worker_processor_records_total{pipeline="p1",pipeline_name="orders",processor="${processor}",operation="${op}",outcome="${outcome}"}`;
    expect(text).toContain(`${line('0', 'lowercase', 'changed')} 1`);
    expect(text).toContain(`${line('0', 'lowercase', 'failed')} 1`);
    expect(text).toContain(`${line('1', 'drop', 'dropped')} 1`);
    expect(text).toContain(`${line('1', 'drop', 'failed')} 1`);
    expect(text).toContain(
      'sdp_worker_schema_failures_total{pipeline="p1",pipeline_name="orders",mode="enforce",path="$.id"} 1',
    );
  });

  it('a restarted task (new chain) adds to the totals: counters never go down', async () => {
    const registry = new Registry();
    const m = createProcessingMetrics(registry);
    const first = task([{ lowercase: { field: 'a' } }]);
    m.track(pipeline, first.compiled, first.schemaStats);
    first.feed('{"a":"X","id":1}');
    const second = task([{ lowercase: { field: 'a' } }]);
    m.track(pipeline, second.compiled, second.schemaStats);
    second.feed('{"a":"Y","id":1}');
    const text = await registry.metrics();
    expect(text).toContain(
      'sdp_worker_processor_records_total{pipeline="p1",pipeline_name="orders",processor="0",operation="lowercase",outcome="changed"} 2',
    );
  });
});
