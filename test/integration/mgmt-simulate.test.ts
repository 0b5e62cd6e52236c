import type { Pipeline } from '../../server/common/pipelines';
import { MgmtHarness, startMgmtHarness } from '../helpers/mgmt-harness';

jest.setTimeout(90_000);

interface SimResult {
  status: string;
  index?: string;
  id?: string;
  doc?: Record<string, unknown>;
  documents?: unknown[];
  steps: Array<{ processor: number; op: string; changed: boolean; dropped?: boolean; failed?: boolean }>;
  error?: { stage: string; errorType: string; reason: string };
}
interface SimBody {
  results: SimResult[];
}
interface ErrorBody {
  code: string;
  message: string;
  details?: Array<{ path: string; message: string; name?: string }>;
}

const MAPPING = { properties: { user: { type: 'keyword' }, qty: { type: 'integer' } } };
const PROCESSORS = [
  { lowercase: { field: 'user' } },
  { convert: { field: 'qty', type: 'integer' } },
  { drop: { if: "doc.user == 'bot'" } },
];

// Simulate on the real pipeline-mgmt: the worker's own steps, then the live target mapping in a
// scratch index (OpenSearch for real); nothing written to the target index.
describe('POST /api/v1/pipelines/{id}/simulate and /api/v1/simulate', () => {
  let h: MgmtHarness;
  let p: Pipeline;
  let viewer: string;
  let otherTeam: string;
  const sim = (body: unknown, token?: string) =>
    h.api<SimBody & ErrorBody>('POST', `/api/v1/pipelines/${p.id}/simulate`, { body, token });

  beforeAll(async () => {
    h = await startMgmtHarness();
    viewer = await h.mint({ name: 'viewer-sim', role: 'viewer', team: 'shop' });
    otherTeam = await h.mint({ name: 'viewer-other', role: 'viewer', team: 'other' });
    const index = h.indexName();
    const created = await h.api<Pipeline>('POST', '/api/v1/pipelines', {
      body: {
        name: h.newName(),
        index,
        team: 'shop',
        status: 'stopped',
        processors: PROCESSORS,
        createIndex: { mappings: MAPPING },
      },
    });
    expect(created.status).toBe(201);
    p = created.body;
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('says what each record becomes, step by step, for a viewer of the team; writes nothing', async () => {
    const r = await sim(
      {
        records: [
          { user: 'Ann', qty: '3' },
          '{not json',
          { user: 'Bob', qty: 'many' },
          { user: 'BOT', qty: 1 },
        ],
      },
      viewer,
    );
    expect(r.status).toBe(200);
    const [ann, broken, bob, bot] = r.body.results;
    expect(ann).toEqual({
      status: 'indexed',
      index: p.index,
      id: `${p.topics.input}-0-0`,
      doc: { user: 'ann', qty: 3 },
      steps: [
        { processor: 0, op: 'lowercase', changed: true },
        { processor: 1, op: 'convert', changed: true },
        { processor: 2, op: 'drop', changed: false },
      ],
    });
    expect(broken).toMatchObject({ status: 'failed', error: { stage: 'parse', errorType: 'invalid_json' } });
    expect(bob).toMatchObject({
      status: 'failed',
      error: { stage: 'transform', errorType: 'conversion_failed' },
      steps: [{ op: 'lowercase', changed: true }, { op: 'convert', failed: true }, { op: 'drop' }],
    });
    expect(bot).toMatchObject({ status: 'dropped', steps: [{}, {}, { op: 'drop', dropped: true }] });
    await h.opensearch.indices.refresh({ index: p.index });
    expect((await h.opensearch.count({ index: p.index })).body.count).toBe(0);
    const scratch = await h.opensearch.cat.indices({ index: 'sdp-simulate-*', format: 'json' });
    expect(scratch.body).toEqual([]);
  });

  it("checks documents against the live target mapping: what OpenSearch would refuse is 'failed', stage index", async () => {
    const r = await sim({
      records: [
        { user: 'ann', qty: 'lots' },
        { user: 'eve', qty: 2 },
      ],
      processors: [],
    });
    expect(r.status).toBe(200);
    expect(r.body.results[0]).toMatchObject({
      status: 'failed',
      error: { stage: 'index', errorType: 'mapper_parsing_exception' },
    });
    expect(r.body.results[0]!.error!.reason).toContain('qty');
    expect(r.body.results[1]).toMatchObject({ status: 'indexed', doc: { user: 'eve', qty: 2 }, steps: [] });
    // The override was tried, not stored.
    const now = await h.api<Pipeline>('GET', `/api/v1/pipelines/${p.id}`);
    expect(now.body.processors).toEqual(PROCESSORS);
  });

  it("tries an indexTemplate, a schema and an idField instead of the pipeline's", async () => {
    const r = await sim({
      records: [
        { user: 'Ann', qty: '5', tenant: 'EU' },
        { user: 'Cy', qty: '-1', tenant: 'us' },
      ],
      indexTemplate: `${p.index}-{tenant}`,
      idField: 'user',
      schema: { mode: 'enforce', jsonSchema: { type: 'object', properties: { qty: { minimum: 0 } } } },
    });
    expect(r.status).toBe(200);
    expect(r.body.results[0]).toMatchObject({ status: 'indexed', index: `${p.index}-eu`, id: 'ann' });
    expect(r.body.results[1]).toMatchObject({
      status: 'failed',
      error: { stage: 'schema', errorType: 'schema_violation' },
    });
  });

  it('refuses bad input with the field path, other teams, and unknown pipelines', async () => {
    const bad = await sim({ records: [{ a: 1 }], processors: [{ convert: { field: 'a', type: 'money' } }] });
    expect([bad.status, bad.body.code]).toEqual([400, 'invalid_processors']);
    expect(bad.body.details?.[0]?.path).toBe('processors[0].convert.type');
    const many = await sim({ records: Array.from({ length: 101 }, () => ({})) });
    expect([many.status, many.body.code]).toEqual([400, 'validation_failed']);
    expect(many.body.details?.map((d) => d.path)).toContain('/records');
    const none = await sim({ records: [] });
    expect(none.status).toBe(400);
    const wrongType = await sim({ records: [42] });
    expect(wrongType.status).toBe(400);
    expect((await sim({ records: [{}] }, otherTeam)).status).toBe(404);
    const missing = await h.api<ErrorBody>(
      'POST',
      '/api/v1/pipelines/00000000-0000-4000-8000-000000000000/simulate',
      {
        body: { records: [{}] },
      },
    );
    expect([missing.status, missing.body.code]).toEqual([404, 'pipeline_not_found']);
  });

  it('simulates a pipeline that does not exist yet, with the mappings its createIndex would make', async () => {
    const index = h.indexName();
    const body = {
      pipeline: {
        index,
        processors: [{ set: { field: 'qty', value: 'ten' } }],
        createIndex: { mappings: MAPPING },
      },
      records: [{ user: 'ann' }],
    };
    const r = await h.api<SimBody>('POST', '/api/v1/simulate', { body });
    expect(r.status).toBe(200);
    expect(r.body.results[0]).toMatchObject({
      status: 'failed',
      error: { stage: 'index', errorType: 'mapper_parsing_exception' },
    });
    expect(r.body.results[0]!.steps).toEqual([{ processor: 0, op: 'set', changed: true }]);
    expect((await h.opensearch.indices.exists({ index })).body).toBe(false);
    const denied = await h.api<ErrorBody>('POST', '/api/v1/simulate', { body, token: viewer });
    expect([denied.status, denied.body.code]).toEqual([403, 'forbidden']);
    const noIndex = await h.api<ErrorBody>('POST', '/api/v1/simulate', {
      body: { pipeline: {}, records: [{}] },
    });
    expect(noIndex.status).toBe(400);
    expect(noIndex.body.details?.map((d) => d.path)).toContain('/pipeline/index');
  });
});
