import { compileProcessing, ProcessingConfig } from '../../server/common/processors/processing';
import type { SourceRecord } from '../../server/common/records';
import { buildErrorMessage, buildOutputMessage } from '../../server/pipeline-worker/logics/envelopes';
import { createPreparation, pipelineSteps } from '../../server/common/prepare/preparation';
import { newSchemaStats } from '../../server/common/prepare/schema';

function rec(value: string, offset = '7', headers?: SourceRecord['headers']): SourceRecord {
  return {
    topic: 'in',
    partition: 2,
    offset,
    timestamp: '1700000000000',
    key: Buffer.from('k'),
    value: Buffer.from(value),
    headers,
  };
}

function prepareWith(
  config: Partial<ProcessingConfig>,
  idField: string | null = null,
  schemaStats = newSchemaStats(),
) {
  const r = compileProcessing({ processors: [], indexTemplate: null, schema: null, ...config });
  if (!('compiled' in r)) throw new Error(JSON.stringify(r.problems));
  return createPreparation(pipelineSteps({ idField, processing: r.compiled, schemaStats }));
}

describe('preparation with processors, schema and routing', () => {
  it('sends the received text when the chain changed nothing (no re-serialisation)', () => {
    const text = '{ "a" : "low" }';
    const r = prepareWith({ processors: [{ lowercase: { field: 'a' } }] })(rec(text));
    expect(r).toMatchObject({ kind: 'index', source: Buffer.from(text), originalText: undefined });
  });

  it('serialises the changed document and keeps the received text for the error topic', () => {
    const r = prepareWith({ processors: [{ uppercase: { field: 'a' } }, { remove: { fields: ['b'] } }] })(
      rec('{"a":"x","b":1}'),
    );
    expect(r).toMatchObject({
      kind: 'index',
      id: 'in-2-7',
      source: '{"a":"X"}',
      originalText: '{"a":"x","b":1}',
    });
  });

  it('a failing processor sends the record to stage transform with its position and operation', () => {
    const r = prepareWith({
      processors: [{ trim: { field: 'a' } }, { convert: { field: 'n', type: 'integer' } }],
    })(rec('{"a":" x ","n":"abc"}'));
    expect(r).toMatchObject({
      kind: 'failed',
      stage: 'transform',
      errorType: 'conversion_failed',
      detail: { processor: 1, operation: 'convert' },
    });
    if (r.kind !== 'failed') return;
    expect(r.reason).toMatch(/^processors\[1\] \(convert\): cannot convert/);
    expect(r.value?.toString()).toBe('{"a":" x ","n":"abc"}');
    const envelope = JSON.parse(String(buildErrorMessage(r, { id: 'p', name: 'n' }, new Date(0)).value));
    expect(envelope).toMatchObject({
      stage: 'transform',
      processor: 1,
      operation: 'convert',
      errorType: 'conversion_failed',
    });
  });

  it('reads meta.headers in conditions', () => {
    const prepare = prepareWith({
      processors: [{ set: { field: 'h', expr: 'meta.headers.trace', if: '"trace" in meta.headers' } }],
    });
    expect(prepare(rec('{}', '1', { trace: Buffer.from('t-1') }))).toMatchObject({ source: '{"h":"t-1"}' });
    expect(prepare(rec('{}', '2'))).toMatchObject({ source: Buffer.from('{}') });
  });

  it('a dropped record becomes an entry with no documents', () => {
    const r = prepareWith({ processors: [{ drop: { if: 'doc.level == "debug"' } }] })(
      rec('{"level":"debug"}'),
    );
    expect(r).toMatchObject({ kind: 'documents', documents: [] });
  });

  it('a split record becomes one entry of documents with ids <id>-<n>, each routed', () => {
    const r = prepareWith(
      { processors: [{ split: { field: 'items' } }], indexTemplate: 'orders-{items.tenant}' },
      'order',
    )(rec('{"order":"o1","items":[{"tenant":"A"},{"tenant":"B"}]}'));
    expect(r.kind).toBe('documents');
    if (r.kind !== 'documents') return;
    expect(r.documents.map((d) => [d.id, d.index, d.source])).toEqual([
      ['o1-0', 'orders-a', '{"order":"o1","items":{"tenant":"A"}}'],
      ['o1-1', 'orders-b', '{"order":"o1","items":{"tenant":"B"}}'],
    ]);
    expect(r.bytes).toBeGreaterThan(r.documents[0]!.bytes + r.documents[1]!.bytes);
  });

  it('split documents without an idField get <topic>-<partition>-<offset>-<n>', () => {
    const r = prepareWith({ processors: [{ split: { field: 'l' } }] })(rec('{"l":[1,2,3]}', '9'));
    expect(r.kind === 'documents' && r.documents.map((d) => d.id)).toEqual([
      'in-2-9-0',
      'in-2-9-1',
      'in-2-9-2',
    ]);
  });

  it('routes by the index template; an unresolved placeholder leaves the pipeline index', () => {
    const prepare = prepareWith({ indexTemplate: 'logs-{svc}-{@timestamp:yyyy.MM}' });
    const routed = prepare(rec('{"svc":"Api","@timestamp":"2024-05-01T00:00:00Z"}'));
    expect(routed).toMatchObject({ kind: 'index', index: 'logs-api-2024.05' });
    const fallback = prepare(rec('{"svc":"api"}'));
    expect(fallback.kind).toBe('index');
    expect('index' in fallback && fallback.index).toBeFalsy();
    if (routed.kind !== 'index') return;
    expect(JSON.parse(String(buildOutputMessage(routed, 'default-idx').value)).index).toBe(
      'logs-api-2024.05',
    );
  });

  const schema = {
    type: 'object',
    required: ['id'],
    properties: { id: { type: 'integer' } },
  };

  it('schema enforce: a failing record goes to stage schema with the errors', () => {
    const stats = newSchemaStats();
    const r = prepareWith(
      { schema: { mode: 'enforce', jsonSchema: schema } },
      null,
      stats,
    )(rec('{"id":"x"}'));
    expect(r).toMatchObject({
      kind: 'failed',
      stage: 'schema',
      errorType: 'schema_violation',
      detail: { errors: [{ path: '$.id', message: 'must be integer' }] },
    });
    if (r.kind !== 'failed') return;
    const envelope = JSON.parse(String(buildErrorMessage(r, { id: 'p', name: 'n' }, new Date(0)).value));
    expect(envelope).toMatchObject({
      stage: 'schema',
      errors: [{ path: '$.id', message: 'must be integer' }],
    });
    expect(stats.failed).toBe(1);
    expect([...stats.byPath]).toEqual([['$.id', 1]]);
  });

  it('schema warn: the record is indexed and counted', () => {
    const stats = newSchemaStats();
    const r = prepareWith({ schema: { mode: 'warn', jsonSchema: schema } }, null, stats)(rec('{}'));
    expect(r).toMatchObject({ kind: 'index', source: Buffer.from('{}') });
    expect(stats.byPath.get('$.id')).toBe(1);
  });

  it('the schema checks the document after the processors', () => {
    const r = prepareWith({
      processors: [{ convert: { field: 'id', type: 'integer' } }],
      schema: { mode: 'enforce', jsonSchema: schema },
    })(rec('{"id":"12"}'));
    expect(r).toMatchObject({ kind: 'index', source: '{"id":12}' });
  });

  it('schema failure paths are bounded', () => {
    const stats = newSchemaStats();
    const prepare = prepareWith(
      {
        schema: { mode: 'warn', jsonSchema: { type: 'object', additionalProperties: false } },
      },
      null,
      stats,
    );
    for (let i = 0; i < 30; i++) prepare(rec(JSON.stringify({ [`k${i}`]: 1 })));
    expect(stats.byPath.size).toBe(21);
    expect(stats.byPath.get('other')).toBe(10);
  });
});
