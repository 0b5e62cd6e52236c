import type { Pipeline } from '../../server/common/pipelines';
import { randomName } from '../helpers';
import { MgmtHarness, startMgmtHarness } from '../helpers/mgmt-harness';

const P = '/api/v1/pipelines';

interface ErrorBody {
  code: string;
  message: string;
  details?: Array<{ path: string; message: string; reason: string }>;
}

const big = { description: 'x'.repeat(65 * 1024) };

/** Every invalid configuration, with the code and `details[].path` the answer must name. */
const INVALID: Array<[string, Record<string, unknown>, string, string]> = [
  [
    'an unknown operation',
    { processors: [{ frobnicate: {} }] },
    'invalid_processors',
    'processors[0].frobnicate',
  ],
  [
    'a missing parameter',
    { processors: [{ trim: { field: 'a' } }, { convert: { field: 'x' } }] },
    'invalid_processors',
    'processors[1].convert.type',
  ],
  [
    'a wrong parameter value',
    { processors: [{ convert: { field: 'x', type: 'long' } }] },
    'invalid_processors',
    'processors[0].convert.type',
  ],
  [
    'an unknown parameter',
    { processors: [{ trim: { field: 'a', nope: 1 } }] },
    'invalid_processors',
    'processors[0].trim.nope',
  ],
  [
    'a processor with two operations',
    { processors: [{ trim: { field: 'a' }, drop: {} }] },
    'invalid_processors',
    'processors[0]',
  ],
  [
    'a bad CEL expression',
    { processors: [{ drop: { if: 'doc.level ==' } }] },
    'invalid_processors',
    'processors[0].drop.if',
  ],
  [
    'a CEL expression over 4 KiB',
    { processors: [{ drop: { if: `doc.a == "${'x'.repeat(4100)}"` } }] },
    'invalid_processors',
    'processors[0].drop.if',
  ],
  [
    'a bad onFailure',
    { processors: [{ drop: { onFailure: 'ignore' } }] },
    'invalid_processors',
    'processors[0].drop.onFailure',
  ],
  [
    'a bad date pattern',
    { processors: [{ date: { field: 'ts', formats: ['yyyy-QQ'] } }] },
    'invalid_processors',
    'processors[0].date.formats[0]',
  ],
  [
    'a bad dissect pattern',
    { processors: [{ dissect: { field: 'm', pattern: '%{a}%{b}' } }] },
    'invalid_processors',
    'processors[0].dissect.pattern',
  ],
  [
    'too many processors',
    { processors: Array.from({ length: 65 }, () => ({ drop: {} })) },
    'invalid_processors',
    'processors',
  ],
  [
    'a hash salt in the body',
    { processors: [{ hash: { fields: ['a'], salt: 'inline' } }] },
    'invalid_processors',
    'processors[0].hash.salt',
  ],
  ['a bad index template', { indexTemplate: 'orders {tenant}' }, 'invalid_processors', 'indexTemplate'],
  ['an unclosed index template', { indexTemplate: 'orders-{tenant' }, 'invalid_processors', 'indexTemplate'],
  [
    'an oversized schema',
    { schema: { mode: 'enforce', jsonSchema: big } },
    'invalid_schema',
    'schema.jsonSchema',
  ],
  [
    'an invalid JSON Schema',
    { schema: { mode: 'enforce', jsonSchema: { type: 'strng' } } },
    'invalid_schema',
    'schema.jsonSchema',
  ],
  [
    'a schema with $data',
    { schema: { mode: 'enforce', jsonSchema: { const: { $data: '/a' } } } },
    'invalid_schema',
    'schema.jsonSchema.const.$data',
  ],
  [
    'a backtracking schema pattern',
    { schema: { mode: 'warn', jsonSchema: { pattern: '^(a+)+$' } } },
    'invalid_schema',
    'schema.jsonSchema.pattern',
  ],
  ['a bad schema mode', { schema: { mode: 'strict', jsonSchema: {} } }, 'invalid_schema', 'schema.mode'],
  ['a schema without mode', { schema: { jsonSchema: {} } }, 'invalid_schema', 'schema.mode'],
  ['processors not an array', { processors: { drop: {} } }, 'validation_failed', '/processors'],
];

describe('pipeline-mgmt processors, indexTemplate and schema', () => {
  let h: MgmtHarness;
  let existing: Pipeline;
  const index = randomName('mgmt-proc').replace(/_/g, '-');

  beforeAll(async () => {
    h = await startMgmtHarness();
    await h.newIndex(index);
    const res = await h.api<Pipeline>('POST', P, {
      body: { name: h.newName(randomName('p')), index, partitions: 1 },
    });
    expect(res.status).toBe(201);
    existing = res.body;
  });
  afterAll(async () => {
    await h?.stop();
  });

  const snapshot = async () => JSON.stringify(await h.db('pipelines').orderBy('id'));

  it.each(INVALID)(
    'create with %s is a 400 naming the path; nothing is created',
    async (_n, fields, code, path) => {
      const before = await snapshot();
      const name = h.newName(randomName('p'));
      const res = await h.api<ErrorBody>('POST', P, { body: { name, index, partitions: 1, ...fields } });
      expect({ status: res.status, code: res.body.code }).toEqual({ status: 400, code });
      expect(res.body.details!.map((d) => d.path)).toContain(path);
      const detail = res.body.details!.find((d) => d.path === path)!;
      expect(detail.message.length).toBeGreaterThan(3);
      // The compiler's problems carry `reason` (the same text as `message`); body-shape errors only `message`.
      if (code !== 'validation_failed') expect(detail.reason).toBe(detail.message);
      expect(await snapshot()).toEqual(before);
      expect(await h.topicsOf(name)).toEqual([]);
    },
  );

  it.each(INVALID)(
    'PATCH with %s is a 400 naming the path; nothing is changed',
    async (_n, fields, code, path) => {
      const before = await snapshot();
      const res = await h.api<ErrorBody>('PATCH', `${P}/${existing.id}`, { body: fields });
      expect({ status: res.status, code: res.body.code }).toEqual({ status: 400, code });
      expect(res.body.details!.map((d) => d.path)).toContain(path);
      expect(await snapshot()).toEqual(before);
    },
  );

  it('PUT with invalid processors is a 400 too', async () => {
    const before = await snapshot();
    const res = await h.api<ErrorBody>('PUT', `${P}/${existing.id}`, {
      body: { index, processors: [{ set: { field: 'a' } }] },
    });
    expect({ status: res.status, code: res.body.code }).toEqual({ status: 400, code: 'invalid_processors' });
    expect(res.body.details!.map((d) => d.path)).toEqual(['processors[0].set.value']);
    expect(await snapshot()).toEqual(before);
  });

  it('stores, returns and updates processors, indexTemplate and schema; a change is audited and bumps the version', async () => {
    const processors = [
      { rename: { field: 'user.id', targetField: 'user_id' } },
      { drop: { if: 'has(doc.level) && doc.level == "debug"' } },
      { hash: { fields: ['email'], saltSecret: 'pii-salt' } },
    ];
    const schema = { mode: 'warn', jsonSchema: { type: 'object', required: ['user_id'] } };
    const res = await h.api<Pipeline>('PATCH', `${P}/${existing.id}`, {
      body: { processors, indexTemplate: 'orders-{tenant}', schema },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      processors,
      indexTemplate: 'orders-{tenant}',
      schema,
      version: existing.version + 1,
    });
    const got = await h.api<Pipeline>('GET', `${P}/${existing.id}`);
    expect(got.body).toMatchObject({ processors, indexTemplate: 'orders-{tenant}', schema });
    const audit = await h.api<{
      items: Array<{ action: string; details: { changes: Record<string, unknown> } }>;
    }>('GET', `/api/v1/audit?targetId=${existing.id}`);
    if (audit.status === 200) {
      const update = audit.body.items.find((e) => e.action === 'pipeline.update');
      expect(Object.keys(update?.details.changes ?? {}).sort()).toEqual([
        'indexTemplate',
        'processors',
        'schema',
      ]);
    }
    // Back to none: null / [] clear them.
    const cleared = await h.api<Pipeline>('PATCH', `${P}/${existing.id}`, {
      body: { processors: [], indexTemplate: null, schema: null },
    });
    expect(cleared.body).toMatchObject({ processors: [], indexTemplate: null, schema: null });
    existing = cleared.body;
  });

  it('with createIndex and an indexTemplate, installs an OpenSearch index template so every routed index gets the settings and mappings', async () => {
    const name = h.newName(randomName('p'));
    const pipelineIndex = h.indexName();
    const prefix = `${pipelineIndex}-r`;
    const res = await h.api<Pipeline>('POST', P, {
      body: {
        name,
        index: pipelineIndex,
        partitions: 1,
        indexTemplate: `${prefix}-{tenant}-{@timestamp:yyyy.MM}`,
        createIndex: {
          settings: { number_of_shards: 1, number_of_replicas: 0 },
          mappings: { properties: { tenant: { type: 'keyword' }, amount: { type: 'double' } } },
        },
      },
    });
    expect(res.status).toBe(201);
    const templateName = `sdp-${name.replace(/_/g, '-')}`;
    const t = await h.opensearch.indices.getIndexTemplate({ name: templateName });
    const tpl = (t.body as { index_templates: Array<{ index_template: { index_patterns: string[] } }> })
      .index_templates[0]!.index_template;
    expect(tpl.index_patterns).toEqual([`${prefix}-*`]);
    // A routed index made by a write (as the worker's bulk makes it) gets the template's mappings.
    const routedIndex = `${prefix}-acme-2024.05`;
    await h.opensearch.index({
      index: routedIndex,
      id: '1',
      body: { tenant: 'acme', amount: 1 },
      refresh: true,
    });
    try {
      const mapping = await h.opensearch.indices.getMapping({ index: routedIndex });
      const props = (
        mapping.body as Record<string, { mappings: { properties: Record<string, { type: string }> } }>
      )[routedIndex]!.mappings.properties;
      expect(props.tenant!.type).toBe('keyword');
      expect(props.amount!.type).toBe('double');
    } finally {
      await h.opensearch.indices.delete({ index: routedIndex }).catch(() => undefined);
      await h.opensearch.indices.deleteIndexTemplate({ name: templateName }).catch(() => undefined);
    }
  });

  it('a create that fails installs no index template', async () => {
    const name = h.newName(randomName('p'));
    const res = await h.api<ErrorBody>('POST', P, {
      body: {
        name,
        index: h.indexName(),
        indexTemplate: 'never-{x}',
        // OpenSearch refuses these settings: the create fails after the index step.
        createIndex: { settings: { number_of_shards: 0 } },
      },
    });
    expect(res.status).toBe(400);
    const t = await h.opensearch.indices
      .existsIndexTemplate({ name: `sdp-${name.replace(/_/g, '-')}` })
      .then((r) => r.body)
      .catch(() => false);
    expect(t).toBe(false);
  });
});
