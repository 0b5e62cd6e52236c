import type { Pipeline } from '../../server/common/pipelines';
import { waitFor } from '../helpers';
import { buildWorker, killWorker, spawnWorker, WorkerProcess, workerEnvFor } from '../helpers/worker-process';
import { MgmtHarness, startMgmtHarness } from '../helpers/mgmt-harness';

jest.setTimeout(180_000);

interface Offsets {
  groupId: string;
  topic: string;
  partitions: Array<{
    partition: number;
    committed: string | null;
    logStart: string;
    logEnd: string;
    lag: number;
  }>;
}

const TEAM = 'team-a';

// Rewinding a pipeline on the real services: records indexed by a real worker, the group moved back
// through the API, the same records indexed again under the same ids (the count does not change).
describe('pipeline offsets: GET and PUT /api/v1/pipelines/{id}/offsets', () => {
  let h: MgmtHarness;
  let entry: string;
  let worker: WorkerProcess | undefined;
  let p: Pipeline;
  let editor: string;
  let viewer: string;

  const startWorker = async () => {
    worker = spawnWorker(entry, workerEnvFor(h.config, { SDP_SERVER_FLUSH_INTERVAL_SEC: '0.3' }), 'offsets');
    await worker.ready;
  };
  const offsets = (token = viewer) => h.api<Offsets>('GET', `/api/v1/pipelines/${p.id}/offsets`, { token });
  const move = (to: unknown, token = editor) =>
    h.api<Offsets & { code?: string; details?: unknown }>('PUT', `/api/v1/pipelines/${p.id}/offsets`, {
      body: { to },
      token,
    });
  const setStatus = async (status: 'running' | 'stopped') =>
    expect((await h.api('PUT', `/api/v1/pipelines/${p.id}/status`, { body: { status } })).status).toBe(200);
  const count = async () => {
    await h.opensearch.indices.refresh({ index: p.index });
    return Number((await h.opensearch.count({ index: p.index })).body.count);
  };
  /** Sum over partitions of how often the worker has indexed each document (1 each, or more after a rewind). */
  const versions = async () => {
    await h.opensearch.indices.refresh({ index: p.index });
    const res = await h.opensearch.search({
      index: p.index,
      body: { size: 1000, version: true, query: { match_all: {} } },
    });
    return (res.body.hits.hits as Array<{ _version: number }>).reduce((n, hit) => n + hit._version, 0);
  };

  beforeAll(async () => {
    [h, entry] = await Promise.all([startMgmtHarness(), buildWorker()]);
    const res = await h.api<Pipeline>('POST', '/api/v1/pipelines', {
      body: {
        name: h.newName(),
        index: h.indexName(),
        partitions: 2,
        team: TEAM,
        createIndex: { settings: { number_of_shards: 1, number_of_replicas: 0 } },
      },
    });
    expect(res.status).toBe(201);
    p = res.body;
    editor = await h.mint({ name: 'editor-a', role: 'editor', team: TEAM });
    viewer = await h.mint({ name: 'viewer-a', role: 'viewer', team: TEAM });
    const producer = h.kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    await producer.send({
      topic: p.topics.input,
      acks: -1,
      messages: Array.from({ length: 40 }, (_, i) => ({ partition: i % 2, value: JSON.stringify({ n: i }) })),
    });
    await producer.disconnect();
  });
  afterAll(async () => {
    await killWorker(worker);
    await h?.stop();
  });

  it('shows each partition before the group ever committed: nothing committed, lag the whole log', async () => {
    const res = await offsets();
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      groupId: `sdp.pipeline.${p.id}`,
      topic: p.topics.input,
      partitions: [
        { partition: 0, committed: null, logStart: '0', logEnd: '20', lag: 20 },
        { partition: 1, committed: null, logStart: '0', logEnd: '20', lag: 20 },
      ],
    });
  });

  it('refuses to move a running pipeline (409), a viewer (403) and offsets outside the log (400 with paths)', async () => {
    const running = await move('earliest');
    expect([running.status, running.body.code]).toEqual([409, 'pipeline_running']);
    const byViewer = await move('earliest', viewer);
    expect([byViewer.status, byViewer.body.code]).toEqual([403, 'forbidden']);
    await setStatus('stopped');
    const outside = await move({
      partitions: [
        { partition: 0, offset: '99' },
        { partition: 7, offset: '0' },
      ],
    });
    expect(outside.status).toBe(400);
    expect(outside.body).toMatchObject({
      code: 'invalid_offsets',
      details: [
        { path: '/to/partitions/0/offset', message: expect.stringContaining('log end 20') },
        { path: '/to/partitions/1/partition', message: 'the topic has no partition 7' },
      ],
    });
    const bad = await move('yesterday');
    expect([bad.status, bad.body.code]).toEqual([400, 'validation_failed']);
    await setStatus('running');
  });

  it('a rewind of a stopped pipeline re-reads every record under the same ids: the count stays, each document is written again', async () => {
    await startWorker();
    await waitFor(async () => (await count()) === 40, { timeoutMs: 60_000, what: '40 documents' });
    await waitFor(async () => (await offsets()).body.partitions.every((x) => x.lag === 0), {
      timeoutMs: 30_000,
      what: 'lag 0',
    });
    expect(await versions()).toBe(40);

    await setStatus('stopped');
    // The worker leaves the group within a poll or two; until then a move is 409 group_active.
    const moved = await waitFor(
      async () => {
        const r = await move('earliest');
        if (r.status === 409) {
          expect(r.body.code).toBe('group_active');
          return null;
        }
        return r;
      },
      { timeoutMs: 30_000, what: 'the group to empty' },
    );
    expect(moved!.status).toBe(200);
    expect(moved!.body.partitions.map((x) => [x.committed, x.lag])).toEqual([
      ['0', 20],
      ['0', 20],
    ]);
    const audit = await h.api<{ items: Array<{ action: string; details: Record<string, unknown> }> }>(
      'GET',
      `/api/v1/audit?targetId=${p.id}&action=pipeline.offsets`,
    );
    expect(audit.body.items[0]).toMatchObject({
      action: 'pipeline.offsets',
      details: {
        to: 'earliest',
        partitions: [
          { partition: 0, from: '20', to: '0' },
          { partition: 1, from: '20', to: '0' },
        ],
      },
    });

    await setStatus('running');
    await waitFor(async () => (await versions()) === 80, {
      timeoutMs: 60_000,
      what: 'every document written twice',
    });
    expect(await count()).toBe(40);
  });

  it('skips ahead to a time after the last record: nothing left to read', async () => {
    await setStatus('stopped');
    const res = await waitFor(
      async () => {
        const r = await move({ timestamp: new Date(Date.now() + 60_000).toISOString() });
        return r.status === 409 ? null : r;
      },
      { timeoutMs: 30_000, what: 'the group to empty' },
    );
    expect(res!.status).toBe(200);
    expect(res!.body.partitions.map((x) => [x.committed, x.lag])).toEqual([
      ['20', 0],
      ['20', 0],
    ]);
  });
});
