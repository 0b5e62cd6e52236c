import type { Pipeline } from '../../server/common/pipelines';
import { waitFor } from '../helpers';
import { execFile } from 'node:child_process';
import {
  buildCli,
  buildWorker,
  killWorker,
  spawnWorker,
  WorkerProcess,
  workerEnvFor,
} from '../helpers/worker-process';
import { MgmtHarness, startMgmtHarness } from '../helpers/mgmt-harness';

jest.setTimeout(180_000);

interface ErrorPage {
  items: Array<{ partition: number; offset: string; timestamp: string; envelope: Record<string, unknown> }>;
  scanned: number;
  nextCursor: string | null;
  code?: string;
}

const TEAM = 'team-a';

// Browsing failed records on the real services: bad records refused by a real worker into the error
// topic, read back through pipeline-mgmt's API, filtered and paged.
describe('failed records: GET /api/v1/pipelines/{id}/errors', () => {
  let h: MgmtHarness;
  let worker: WorkerProcess | undefined;
  let p: Pipeline;
  let viewer: string;
  let otherTeam: string;
  let between: Date;

  const errors = (query = '', token = viewer) =>
    h.api<ErrorPage>('GET', `/api/v1/pipelines/${p.id}/errors${query}`, { token });
  const allPages = async (query: string) => {
    const items: ErrorPage['items'] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 50; i++) {
      const res = await errors(`${query}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      items.push(...res.body.items);
      cursor = res.body.nextCursor;
      if (!cursor) return items;
    }
    throw new Error('no last page');
  };

  beforeAll(async () => {
    let entry: string;
    [h, entry] = await Promise.all([startMgmtHarness(), buildWorker()]);
    const res = await h.api<Pipeline>('POST', '/api/v1/pipelines', {
      body: {
        name: h.newName(),
        index: h.indexName(),
        partitions: 2,
        idField: 'id',
        team: TEAM,
        createIndex: { settings: { number_of_shards: 1, number_of_replicas: 0 } },
      },
    });
    expect(res.status).toBe(201);
    p = res.body;
    viewer = await h.mint({ name: 'viewer-a', role: 'viewer', team: TEAM });
    otherTeam = await h.mint({ name: 'viewer-b', role: 'viewer', team: 'team-b' });
    worker = spawnWorker(entry, workerEnvFor(h.config, { SDP_SERVER_FLUSH_INTERVAL_SEC: '0.3' }), 'errors');
    await worker.ready;
    const producer = h.kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    // 12 invalid JSON, then (after `between`) 8 without their idField, and 5 good ones.
    const send = (values: string[]) =>
      producer.send({
        topic: p.topics.input,
        acks: -1,
        messages: values.map((value, i) => ({ partition: i % 2, value })),
      });
    await send(Array.from({ length: 12 }, (_, i) => `{"broken": ${i}`));
    await waitFor(async () => (await errors('?limit=500')).body.items?.length === 12, {
      timeoutMs: 60_000,
      what: '12 errors',
    });
    await new Promise((r) => setTimeout(r, 1100));
    between = new Date();
    await new Promise((r) => setTimeout(r, 100));
    await send([
      ...Array.from({ length: 8 }, (_, i) => JSON.stringify({ n: i })),
      ...Array.from({ length: 5 }, (_, i) => JSON.stringify({ id: `ok-${i}` })),
    ]);
    await producer.disconnect();
    await waitFor(async () => (await errors('?limit=500')).body.items?.length === 20, {
      timeoutMs: 60_000,
      what: '20 errors',
    });
  });
  afterAll(async () => {
    await killWorker(worker);
    await h?.stop();
  });

  it('lists every failed record newest first with its envelope, partition and offset', async () => {
    const res = await errors('?limit=500');
    expect(res.status).toBe(200);
    const items = res.body.items;
    expect(items).toHaveLength(20);
    expect(res.body.nextCursor).toBeNull();
    const times = items.map((i) => Date.parse(i.timestamp));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(items[0]!.envelope).toMatchObject({
      pipelineId: p.id,
      stage: 'validate',
      errorType: 'invalid_id_field',
    });
    expect(items[items.length - 1]!.envelope).toMatchObject({
      stage: 'parse',
      errorType: 'invalid_json',
      source: { topic: p.topics.input },
      value: expect.stringContaining('"broken"'),
    });
    expect(new Set(items.map((i) => `${i.partition}:${i.offset}`)).size).toBe(20);
  });

  it('filters by stage, by reason and by time, and pages with a cursor without losing or repeating one', async () => {
    const parse = await allPages('?limit=5&stage=parse');
    expect(parse).toHaveLength(12);
    expect(parse.every((i) => i.envelope.errorType === 'invalid_json')).toBe(true);
    expect(new Set(parse.map((i) => `${i.partition}:${i.offset}`)).size).toBe(12);
    const ids = await allPages('?limit=3&reason=invalid_id_field');
    expect(ids).toHaveLength(8);
    const after = await allPages(`?limit=500&since=${between.toISOString()}`);
    expect(after.map((i) => i.envelope.errorType)).toEqual(Array(8).fill('invalid_id_field'));
    const before = await allPages(`?limit=500&until=${between.toISOString()}`);
    expect(before).toHaveLength(12);
  });

  it('sdp errors NAME prints the newest failed records, filtered', async () => {
    const cli = await buildCli();
    const run = (args: string[]) =>
      new Promise<{ code: number; stdout: string }>((resolve) =>
        execFile(
          process.execPath,
          [cli, ...args],
          { env: { ...process.env, SDP_URL: h.base, SDP_TOKEN: viewer } },
          (err, stdout) => resolve({ code: err ? 1 : 0, stdout }),
        ),
      );
    const res = await run(['errors', p.name, '--stage', 'parse', '--limit', '5']);
    expect(res.code).toBe(0);
    const lines = res.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^TIME\s+PARTITION\/OFFSET\s+STAGE\s+TYPE\s+REASON$/);
    expect(lines.slice(1)).toHaveLength(5);
    for (const l of lines.slice(1))
      expect(l).toMatch(/\s\d\/\d+\s+parse\s+invalid_json\s+the value is not valid JSON/);
    const json = JSON.parse(
      (await run(['errors', p.name, '--reason', 'invalid_id_field', '-o', 'json'])).stdout,
    );
    expect(json.items).toHaveLength(8);
  });

  it("refuses what it cannot answer: another team's pipeline 404, a bad cursor or limit 400", async () => {
    const other = await errors('', otherTeam);
    expect([other.status, other.body.code]).toEqual([404, 'pipeline_not_found']);
    const cursor = await errors('?cursor=abc');
    expect([cursor.status, cursor.body.code]).toEqual([400, 'invalid_cursor']);
    const limit = await errors('?limit=501');
    expect([limit.status, limit.body.code]).toEqual([400, 'invalid_query']);
  });
});
