import type { Producer } from 'kafkajs';
import type { Pipeline } from '../../server/common/pipelines';
import { badRecords, goodRecord, WORKER_TEST_MAPPING } from '../fixtures/worker-records';
import { waitFor } from '../helpers';
import { hasSample, MetricSample, scrape, sumOf } from '../helpers/metrics';
import { OpenSearchProxy, startOpenSearchProxy } from '../helpers/worker-faults';
import { buildWorker, killWorker, spawnWorker, WorkerProcess } from '../helpers/worker-process';
import { MgmtHarness, startMgmtHarness } from '../helpers/mgmt-harness';

jest.setTimeout(180_000);

/** waitFor for a value: resolves with the first non-null result. */
const until = async <T>(
  fn: () => Promise<T | null | undefined>,
  options: Parameters<typeof waitFor>[1],
): Promise<T> => (await waitFor(fn, options)) as T;

type Observed = { status: string; reason: string | null; lag: number | null; heartbeatAgeSec: number | null };
type PipelineView = Pipeline & { observed: Observed };
interface TaskView {
  workerId: string;
  state: string;
  assignedPartitions: number[];
  lag: number | null;
  partitionLag: Array<{ partition: number; lag: number }> | null;
  recordsPerSec: number;
  lastFlushAt: string | null;
  restartCount: number;
  cpuPercent: number | null;
  rssBytes: number | null;
  heartbeatAgeSec: number | null;
  live: boolean;
}

// Issue 8 against the real services: one pipeline-mgmt (in process) and pipeline-worker processes
// sharing its database; the worker reaches OpenSearch through a proxy the test can turn into an outage.
describe('observability: /metrics, tasks and observed status after real traffic', () => {
  let h: MgmtHarness;
  let entry: string;
  let proxy: OpenSearchProxy;
  let producer: Producer;
  let p: PipelineView;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    [h, entry] = await Promise.all([
      // A worker silent for 5 s no longer counts.
      startMgmtHarness({}, { SDP_SERVER_WORKER_HEARTBEAT_TIMEOUT_SEC: '5' }),
      buildWorker(),
    ]);
    proxy = await startOpenSearchProxy(h.config.opensearch.url);
    producer = h.kafka.producer({ allowAutoTopicCreation: false, idempotent: true });
    await producer.connect();
    const index = h.indexName();
    const res = await h.api<PipelineView>('POST', '/api/v1/pipelines', {
      body: {
        name: h.newName(),
        index,
        partitions: 3,
        createIndex: {
          settings: { number_of_shards: 1, number_of_replicas: 0 },
          mappings: WORKER_TEST_MAPPING,
        },
      },
    });
    expect(res.status).toBe(201);
    p = res.body;
  });
  afterAll(async () => {
    for (const w of workers) await killWorker(w);
    await producer?.disconnect();
    await proxy?.close();
    await h?.stop();
  });

  const startWorker = async (name: string) => {
    const w = spawnWorker(
      entry,
      {
        SDP_MYSQL_URL: h.config.mysql.url,
        SDP_KAFKA_BROKERS: h.config.kafkaBrokers.join(','),
        SDP_OPENSEARCH_URL: proxy.url,
        SDP_KAFKA_SESSION_TIMEOUT_MS: '6000',
        SDP_KAFKA_MAX_POLL_INTERVAL_MS: '20000',
        SDP_SERVER_FLUSH_ITEMS: '100',
        SDP_SERVER_FLUSH_INTERVAL_SEC: '0.3',
        SDP_SERVER_FAILURE_THRESHOLD: '50',
      },
      name,
    );
    workers.push(w);
    return { w, metricsUrl: `http://127.0.0.1:${await w.ready}/metrics` };
  };
  const send = (values: Array<Buffer | string | null>) =>
    producer.send({ topic: p.topics.input, acks: -1, messages: values.map((value) => ({ value })) });
  const ofP = (extra: Record<string, string> = {}) => ({ pipeline: p.id, pipeline_name: p.name, ...extra });
  const lagOf = (m: MetricSample[]) => sumOf(m, 'sdp_worker_consumer_lag', ofP());
  const tasks = async () =>
    (await h.api<{ items: TaskView[] }>('GET', `/api/v1/pipelines/${p.id}/tasks`)).body.items;
  const observed = async () => (await h.api<PipelineView>('GET', `/api/v1/pipelines/${p.id}`)).body.observed;

  let first: { w: WorkerProcess; metricsUrl: string };

  it('counts 500 indexed, 7 parse failures by reason, bulk requests, and 500 end-to-end latencies', async () => {
    const parseFailures = badRecords(0)
      .filter((b) => b.stage === 'parse')
      .slice(0, 7);
    expect(parseFailures).toHaveLength(7);
    await send([
      ...Array.from({ length: 500 }, (_, i) => goodRecord(i)),
      ...parseFailures.map((b) => b.value),
    ]);
    first = await startWorker('obs-1');

    // The lag gauge covers all three partitions and drops to 0 once everything is committed.
    const m = await until(
      async () => {
        const s = await scrape(first.metricsUrl);
        const lagSeries = s.filter((x) => x.name === 'sdp_worker_consumer_lag' && x.labels.pipeline === p.id);
        return sumOf(s, 'sdp_worker_records_indexed_total', ofP()) === 500 &&
          lagSeries.length === 3 &&
          lagOf(s) === 0
          ? s
          : null;
      },
      { timeoutMs: 60_000, what: '500 indexed and lag 0 on /metrics' },
    );
    expect(sumOf(m, 'sdp_worker_records_consumed_total', ofP())).toBe(507);
    expect(sumOf(m, 'sdp_worker_records_failed_total', ofP({ stage: 'parse' }))).toBe(7);
    expect(sumOf(m, 'sdp_worker_records_failed_total', ofP())).toBe(7);
    const reasons = m
      .filter((s) => s.name === 'sdp_worker_records_failed_total' && s.labels.pipeline === p.id)
      .map((s) => s.labels.reason)
      .sort();
    expect(reasons).toEqual(['invalid_json', 'invalid_utf8', 'not_an_object']);
    const requests = sumOf(m, 'sdp_worker_bulk_requests_total', ofP());
    expect(requests).toBeGreaterThan(0);
    expect(sumOf(m, 'sdp_worker_bulk_requests_total', ofP({ outcome: 'success' }))).toBe(requests);
    expect(sumOf(m, 'sdp_worker_bulk_duration_seconds_count', ofP())).toBe(requests);
    expect(sumOf(m, 'sdp_worker_bulk_size_records_sum', ofP())).toBe(500);
    expect(sumOf(m, 'sdp_worker_end_to_end_latency_seconds_count', ofP())).toBe(500);
    expect(sumOf(m, 'sdp_worker_end_to_end_latency_seconds_sum', ofP())).toBeGreaterThan(0);
    expect(sumOf(m, 'sdp_worker_end_to_end_latency_seconds_bucket', ofP({ le: '+Inf' }))).toBe(500);
    expect(sumOf(m, 'sdp_worker_retries_total', ofP())).toBe(0);
    expect(sumOf(m, 'sdp_worker_task_state', ofP({ state: 'running' }))).toBe(1);
    expect(sumOf(m, 'sdp_worker_task_state', ofP({ state: 'failed' }))).toBe(0);
    expect(sumOf(m, 'sdp_worker_task_restarts_total', ofP())).toBe(0);
    expect(hasSample(m, 'sdp_worker_buffer_fill_ratio', ofP())).toBe(true);
    expect(hasSample(m, 'sdp_worker_process_resident_memory_bytes')).toBe(true);
    // No record data in labels: every label is one of the bounded set.
    const allowed = new Set([
      'pipeline',
      'pipeline_name',
      'partition',
      'stage',
      'outcome',
      'reason',
      'state',
      'le',
    ]);
    for (const s of m.filter((x) => x.name.startsWith('sdp_worker_') && x.labels.pipeline)) {
      for (const k of Object.keys(s.labels))
        expect({ metric: s.name, label: k, ok: allowed.has(k) }).toMatchObject({ ok: true });
    }

    // The tasks endpoint: one live task with all three partitions at lag 0, rates, usage, heartbeat.
    const [t] = await until(
      async () => {
        const list = await tasks();
        return list.length === 1 && list[0]!.lag === 0 && list[0]!.partitionLag?.length === 3 ? list : null;
      },
      { timeoutMs: 15_000, what: 'task row with lag 0' },
    );
    expect(t).toMatchObject({
      state: 'running',
      assignedPartitions: [0, 1, 2],
      partitionLag: [
        { partition: 0, lag: 0 },
        { partition: 1, lag: 0 },
        { partition: 2, lag: 0 },
      ],
      restartCount: 0,
      live: true,
    });
    expect(t!.recordsPerSec).toBeGreaterThan(0);
    expect(t!.lastFlushAt).not.toBeNull();
    expect(t!.rssBytes).toBeGreaterThan(10_000_000);
    expect(t!.cpuPercent).not.toBeNull();
    expect(t!.heartbeatAgeSec).toBeLessThan(5);
    expect(await observed()).toMatchObject({ status: 'running', reason: null, lag: 0 });
  });

  it('mgmt /metrics counts requests by route template and status, and pipelines by status', async () => {
    await h.api('GET', `/api/v1/pipelines/${p.id}`, { token: null }); // 401
    await h.api('GET', '/api/v1/nothing-here'); // 404
    await h.api('GET', '/api/v1/pipelines?limit=5');
    const m = await scrape(`${h.base}/metrics`);
    const req = (labels: Record<string, string>) => sumOf(m, 'sdp_mgmt_http_requests_total', labels);
    expect(req({ method: 'POST', route: '/api/v1/pipelines', status: '201' })).toBe(1);
    expect(req({ method: 'GET', route: '/api/v1/pipelines/{id}', status: '200' })).toBeGreaterThanOrEqual(1);
    expect(req({ method: 'GET', route: '/api/v1/pipelines/{id}', status: '401' })).toBe(1);
    expect(
      req({ method: 'GET', route: '/api/v1/pipelines/{id}/tasks', status: '200' }),
    ).toBeGreaterThanOrEqual(1);
    expect(req({ method: 'GET', route: '/api/v1/pipelines', status: '200' })).toBe(1);
    expect(req({ method: 'GET', route: 'unmatched', status: '404' })).toBe(1);
    expect(
      sumOf(m, 'sdp_mgmt_http_request_duration_seconds_count', {
        route: '/api/v1/pipelines',
        method: 'POST',
      }),
    ).toBe(1);
    // No raw paths (ids) in labels.
    expect(
      m.filter((s) => s.name === 'sdp_mgmt_http_requests_total' && s.labels.route?.includes(p.id)),
    ).toEqual([]);
    expect(sumOf(m, 'sdp_mgmt_pipelines', { status: 'running' })).toBe(1);
    expect(sumOf(m, 'sdp_mgmt_pipelines', { status: 'stopped' })).toBe(0);
    expect(sumOf(m, 'sdp_mgmt_pipelines_observed', { status: 'running' })).toBe(1);
    expect(hasSample(m, 'sdp_mgmt_process_cpu_seconds_total')).toBe(true);

    // /openapi.json documents the observed status and the new task fields.
    const doc = await h.api<{
      components: { schemas: Record<string, { properties: Record<string, unknown> }> };
    }>('GET', '/openapi.json');
    expect(doc.body.components.schemas.PipelineView?.properties.observed).toEqual({
      $ref: '#/components/schemas/ObservedStatus',
    });
    expect(Object.keys(doc.body.components.schemas.TaskStatus?.properties ?? {})).toEqual(
      expect.arrayContaining([
        'partitionLag',
        'recordsFailedPerSec',
        'lagGrowthPerMin',
        'live',
        'heartbeatAgeSec',
      ]),
    );
  });

  it('lag built up while no worker ran shows on the next worker, with the pipeline degraded during an OpenSearch outage, and returns to 0', async () => {
    first.w.kill('SIGTERM');
    expect(await first.w.exited).toBe(0);
    await send(Array.from({ length: 300 }, (_, i) => goodRecord(1000 + i)));
    proxy.mode = '503';
    const second = await startWorker('obs-2');
    const during = await until(
      async () => {
        const s = await scrape(second.metricsUrl);
        return lagOf(s) === 300 ? s : null;
      },
      { timeoutMs: 30_000, what: 'lag 300 on the new worker' },
    );
    expect(sumOf(during, 'sdp_worker_bulk_requests_total', ofP({ outcome: 'error' }))).toBeGreaterThan(0);
    expect(sumOf(during, 'sdp_worker_retries_total', ofP({ stage: 'index' }))).toBeGreaterThan(0);
    expect(sumOf(during, 'sdp_worker_records_indexed_total', ofP())).toBe(0);
    await waitFor(async () => (await tasks()).some((t) => t.lag === 300 && t.live), {
      timeoutMs: 15_000,
      what: 'lag 300 on the tasks endpoint',
    });
    const o = await until(
      async () => {
        const now = await observed();
        return now.status === 'degraded' ? now : null;
      },
      { timeoutMs: 15_000, what: 'observed degraded' },
    );
    expect(o.reason).toMatch(/retrying/);

    proxy.mode = 'pass';
    const after = await until(
      async () => {
        const s = await scrape(second.metricsUrl);
        return lagOf(s) === 0 && sumOf(s, 'sdp_worker_records_indexed_total', ofP()) === 300 ? s : null;
      },
      { timeoutMs: 60_000, what: 'caught up: lag 0, 300 indexed' },
    );
    // Every one of these records waited out the outage: none took under a second end to end.
    expect(sumOf(after, 'sdp_worker_end_to_end_latency_seconds_count', ofP())).toBe(300);
    expect(sumOf(after, 'sdp_worker_end_to_end_latency_seconds_bucket', ofP({ le: '1' }))).toBe(0);
    await waitFor(async () => (await tasks()).every((t) => t.lag === 0 && t.live), {
      timeoutMs: 15_000,
      what: 'lag 0 on the tasks endpoint',
    });
    await waitFor(async () => (await observed()).status === 'running', {
      timeoutMs: 15_000,
      what: 'running again',
    });

    // kill -9: the heartbeat ages, the task stops counting, the pipeline is failed.
    const before = (await tasks())[0]!.heartbeatAgeSec!;
    second.w.kill('SIGKILL');
    await second.w.exited;
    const dead = await until(
      async () => {
        const [t] = await tasks();
        return t && !t.live && t.heartbeatAgeSec! > 5 ? t : null;
      },
      { timeoutMs: 20_000, what: 'heartbeat older than 5 s' },
    );
    expect(dead.heartbeatAgeSec).toBeGreaterThan(before);
    expect(dead.state).toBe('running'); // as last reported: nobody is left to say otherwise
    const gone = await observed();
    expect(gone.status).toBe('failed');
    expect(gone.reason).toMatch(/no live worker/);
    expect(gone.heartbeatAgeSec).toBeGreaterThan(5);
    const m = await scrape(`${h.base}/metrics`);
    expect(sumOf(m, 'sdp_mgmt_pipelines_observed', { status: 'failed' })).toBe(1);
  });
});
