import { gzipSync } from 'node:zlib';
import type { Pipeline } from '../../server/common/pipelines';
import { waitFor } from '../helpers';
import { buildWorker, killWorker, spawnWorker, WorkerProcess, workerEnvFor } from '../helpers/worker-process';
import { MgmtHarness, startMgmtHarness } from '../helpers/mgmt-harness';

jest.setTimeout(180_000);

type Outcome =
  | { status: 'indexed'; index: string; id: string }
  | { status: 'failed'; stage: string; errorType: string; reason: string }
  | { status: 'pending' };

const TEAM = 'team-a';
const ndjson = (lines: string[]) => Buffer.from(lines.join('\n') + '\n');

// HTTP ingest against the real services: one pipeline-mgmt (in process) and one pipeline-worker
// process sharing its database, records posted over HTTP, indexed into the real OpenSearch.
describe('HTTP ingest: POST /api/v1/pipelines/{id}/records', () => {
  let h: MgmtHarness;
  let worker: WorkerProcess | undefined;
  let fast: Pipeline;
  let slow: Pipeline;
  let producerToken: string;
  let viewerToken: string;
  let otherTeamToken: string;

  const createPipeline = async (body: Record<string, unknown>) => {
    const res = await h.api<Pipeline>('POST', '/api/v1/pipelines', {
      body: {
        name: h.newName(),
        index: h.indexName(),
        partitions: 3,
        team: TEAM,
        createIndex: { settings: { number_of_shards: 1, number_of_replicas: 0 } },
        ...body,
      },
    });
    expect(res.status).toBe(201);
    return res.body;
  };
  const post = (
    p: Pipeline,
    body: Buffer | string,
    options: { query?: string; headers?: Record<string, string>; token?: string } = {},
  ) =>
    h.api<{ accepted?: number; topic?: string; results?: Outcome[]; code?: string }>(
      'POST',
      `/api/v1/pipelines/${p.id}/records${options.query ?? ''}`,
      {
        raw: body,
        headers: { 'content-type': 'application/x-ndjson', ...options.headers },
        token: options.token ?? producerToken,
      },
    );
  const count = async (index: string) => {
    await h.opensearch.indices.refresh({ index });
    return Number((await h.opensearch.count({ index })).body.count);
  };

  beforeAll(async () => {
    let entry: string;
    [h, entry] = await Promise.all([
      startMgmtHarness({}, { SDP_SERVER_MAX_INGEST_MIB: '1', SDP_SERVER_MAX_PENDING_INGEST_RECORDS: '200' }),
      buildWorker(),
    ]);
    fast = await createPipeline({ idField: 'id', flush: { intervalSec: 0.3 } });
    // Records of this one sit in the worker's buffer for a minute: its waits time out.
    slow = await createPipeline({ flush: { intervalSec: 60, items: 100_000 } });
    producerToken = await h.mint({ name: 'producer-a', role: 'producer', team: TEAM });
    viewerToken = await h.mint({ name: 'viewer-a', role: 'viewer', team: TEAM });
    otherTeamToken = await h.mint({ name: 'producer-b', role: 'producer', team: 'team-b' });
    worker = spawnWorker(
      entry,
      workerEnvFor(h.config, { SDP_KAFKA_MAX_POLL_INTERVAL_MS: '20000' }),
      'ingest',
    );
    await worker.ready;
  });
  afterAll(async () => {
    await killWorker(worker);
    await h?.stop();
  });

  it('without wait: 202 once Kafka has every record, and the worker indexes them', async () => {
    const lines = Array.from({ length: 300 }, (_, i) => JSON.stringify({ id: `nowait-${i}`, n: i }));
    const res = await post(fast, ndjson(lines));
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ accepted: 300, topic: fast.topics.input });
    await waitFor(async () => (await count(fast.index)) >= 300, { timeoutMs: 60_000, what: '300 documents' });
    expect(await count(fast.index)).toBe(300);
  });

  it('wait=indexed: 200 with every outcome in request order, good and bad records mixed (JSON array)', async () => {
    const body = JSON.stringify([{ id: 'w-1', a: 1 }, 5, { a: 'no id' }, { id: 'w-2' }, 'text']);
    const res = await post(fast, body, {
      query: '?wait=indexed',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(200);
    expect(res.body.results).toEqual([
      { status: 'indexed', index: fast.index, id: 'w-1' },
      {
        status: 'failed',
        stage: 'parse',
        errorType: 'not_an_object',
        reason: expect.stringContaining('JSON object'),
      },
      {
        status: 'failed',
        stage: 'validate',
        errorType: 'invalid_id_field',
        reason: expect.stringContaining('"id"'),
      },
      { status: 'indexed', index: fast.index, id: 'w-2' },
      { status: 'failed', stage: 'parse', errorType: 'not_an_object', reason: expect.any(String) },
    ]);
    const doc = await h.opensearch.get({ index: fast.index, id: 'w-1' });
    expect(doc.body._source).toEqual({ id: 'w-1', a: 1 });
  });

  it('wait=indexed with a gzip NDJSON body: invalid JSON lines fail as the worker reports them', async () => {
    const lines = [
      ...Array.from({ length: 50 }, (_, i) => JSON.stringify({ id: `gz-${i}` })),
      '{"id": "broken',
    ];
    const res = await post(fast, gzipSync(ndjson(lines)), {
      query: '?wait=indexed&timeout=30000',
      headers: { 'content-encoding': 'gzip' },
    });
    expect(res.status).toBe(200);
    const results = res.body.results!;
    expect(results).toHaveLength(51);
    expect(results.slice(0, 50)).toEqual(
      lines.slice(0, 50).map((_, i) => ({ status: 'indexed', index: fast.index, id: `gz-${i}` })),
    );
    expect(results[50]).toMatchObject({ status: 'failed', stage: 'parse', errorType: 'invalid_json' });
  });

  it('a timeout answers 202 with the records not done yet pending', async () => {
    const started = Date.now();
    const res = await post(slow, ndjson(['{"a":1}', '{"a":2}']), { query: '?wait=indexed&timeout=1500' });
    expect(res.status).toBe(202);
    expect(res.body.results).toEqual([{ status: 'pending' }, { status: 'pending' }]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
  });

  it('refuses, each with a JSON code: viewer 403, other team 404, unknown 404, media type 415, malformed 400, too large 413 (raw and once inflated), stopped 409, too many waits 429', async () => {
    const one = ndjson(['{"a":1}']);
    const viewer = await post(fast, one, { token: viewerToken });
    expect([viewer.status, viewer.body.code]).toEqual([403, 'forbidden']);
    const other = await post(fast, one, { token: otherTeamToken });
    expect([other.status, other.body.code]).toEqual([404, 'pipeline_not_found']);
    const unknown = await post({ ...fast, id: '00000000-0000-4000-8000-000000000000' }, one);
    expect([unknown.status, unknown.body.code]).toEqual([404, 'pipeline_not_found']);
    const text = await post(fast, one, { headers: { 'content-type': 'text/plain' } });
    expect([text.status, text.body.code]).toEqual([415, 'unsupported_media_type']);
    const malformed = await post(fast, '{"a":', { headers: { 'content-type': 'application/json' } });
    expect([malformed.status, malformed.body.code]).toEqual([400, 'malformed_json']);
    const empty = await post(fast, '\n\n');
    expect([empty.status, empty.body.code]).toEqual([400, 'no_records']);
    const big = await post(fast, Buffer.alloc(1024 * 1024 + 10, 0x20));
    expect([big.status, big.body.code]).toEqual([413, 'payload_too_large']);
    const bomb = gzipSync(Buffer.alloc(4 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const inflated = await post(fast, bomb, { headers: { 'content-encoding': 'gzip' } });
    expect([inflated.status, inflated.body.code]).toEqual([413, 'payload_too_large']);
    const bad = await post(fast, one, { query: '?wait=soon' });
    expect([bad.status, bad.body.code]).toEqual([400, 'invalid_query']);

    const stopped = await createPipeline({ status: 'stopped' });
    const refused = await post(stopped, one);
    expect([refused.status, refused.body.code]).toEqual([409, 'pipeline_not_running']);
    const noOutput = await createPipeline({ outputEnabled: false });
    const noWait = await post(noOutput, one, { query: '?wait=indexed' });
    expect([noWait.status, noWait.body.code]).toEqual([409, 'output_disabled']);

    // 150 records wait on the slow pipeline; 100 more would pass server.maxPendingIngestRecords (200).
    const waiting = post(slow, ndjson(Array.from({ length: 150 }, (_, i) => `{"n":${i}}`)), {
      query: '?wait=indexed&timeout=20000',
    });
    await waitFor(
      async () => {
        const r = await post(slow, ndjson(Array.from({ length: 100 }, (_, i) => `{"m":${i}}`)), {
          query: '?wait=indexed&timeout=100',
        });
        if (r.status !== 429) return false;
        expect(r.body.code).toBe('too_many_waits');
        expect(r.headers.get('retry-after')).toBe('2');
        return true;
      },
      { timeoutMs: 15_000, what: 'a 429 while 150 records wait' },
    );
    expect((await waiting).status).toBe(202);
  });

  it('counts accepted records, refusals and wait outcomes in /metrics', async () => {
    const res = await fetch(`${h.base}/metrics`);
    const text = await res.text();
    const value = (line: string) =>
      Number(new RegExp(`^${line.replace(/[{}"]/g, '\\$&')} (\\d+)`, 'm').exec(text)?.[1]);
    expect(value('sdp_mgmt_ingest_records_accepted_total')).toBeGreaterThanOrEqual(300 + 5 + 51);
    expect(value('sdp_mgmt_ingest_wait_outcomes_total{outcome="indexed"}')).toBeGreaterThanOrEqual(52);
    expect(value('sdp_mgmt_ingest_wait_outcomes_total{outcome="failed"}')).toBeGreaterThanOrEqual(4);
    expect(value('sdp_mgmt_ingest_records_rejected_total{reason="pipeline_not_running"}')).toBe(1);
    expect(value('sdp_mgmt_ingest_pending_records')).toBe(0);
  });

  it('a pipeline-mgmt that stops while callers wait answers them (pending) instead of leaving them hanging', async () => {
    const second = await startMgmtHarness({}, {});
    try {
      // The second mgmt has its own database: make the slow pipeline's twin there.
      const res = await second.api<Pipeline>('POST', '/api/v1/pipelines', {
        body: {
          name: second.newName(),
          index: second.indexName(),
          createIndex: { settings: { number_of_replicas: 0 } },
        },
      });
      expect(res.status).toBe(201);
      const p = res.body;
      const waiting = second.api<{ results: Outcome[] }>(
        'POST',
        `/api/v1/pipelines/${p.id}/records?wait=indexed&timeout=60000`,
        {
          raw: ndjson(['{"a":1}']),
          headers: { 'content-type': 'application/x-ndjson' },
        },
      );
      // No worker serves the second database: the record stays pending until mgmt stops.
      await new Promise((r) => setTimeout(r, 2500));
      const stopping = second.stop();
      const started = Date.now();
      const answer = await waiting;
      expect(answer.status).toBe(202);
      expect(answer.body.results).toEqual([{ status: 'pending' }]);
      expect(Date.now() - started).toBeLessThan(10_000);
      await stopping;
    } catch (e) {
      await second.stop().catch(() => undefined);
      throw e;
    }
  });
});
