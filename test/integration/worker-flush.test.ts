import { Kafka, logLevel } from 'kafkajs';
import type { Pipeline } from '../../server/common/pipelines';
import { createOpenSearchClient } from '../../server/common/opensearch';
import type { BulkAction, BulkIndexer } from '../../server/pipeline-worker/interfaces/bulkIndexer';
import type { Task } from '../../server/pipeline-worker/logics/task';
import { createTaskFactory } from '../../server/pipeline-worker/taskFactory';
import { goodRecord } from '../fixtures/worker-records';
import { testConfig, testLogger, waitFor } from '../helpers';
import {
  countDocs,
  createTestPipeline,
  createWorkerEnv,
  dropTestPipeline,
  groupLag,
  produce,
  WorkerEnv,
} from '../helpers/worker-env';

jest.setTimeout(120_000);

interface Request {
  at: number;
  items: number;
  bytes: number;
}

/**
 * One task in this process, on the real services, with the bulk indexer wrapped so each request's
 * size and time is observed: proof of each flush trigger.
 */
describe('flush triggers (real Kafka and OpenSearch, observed bulk requests)', () => {
  let env: WorkerEnv;
  const pipelines: Pipeline[] = [];
  const config = testConfig({
    SDP_KAFKA_SESSION_TIMEOUT_MS: '6000',
    SDP_KAFKA_MAX_POLL_INTERVAL_MS: '20000',
  });
  const kafka = new Kafka({
    clientId: 'flush-test',
    brokers: config.kafkaBrokers,
    logLevel: logLevel.NOTHING,
  });
  const opensearch = createOpenSearchClient(config);

  beforeAll(async () => {
    env = await createWorkerEnv();
  });
  afterAll(async () => {
    for (const p of pipelines) await dropTestPipeline(env, p);
    await opensearch.close();
    await env?.close();
  });

  async function runTask(flush: Pipeline['flush'], records: string[], expectDocs: number) {
    const p = await createTestPipeline(
      env,
      { flush, partitions: 1, outputEnabled: false },
      { insert: false },
    );
    pipelines.push(p);
    const requests: Request[] = [];
    const wrapIndexer = (inner: BulkIndexer): BulkIndexer => ({
      bulk: <A extends BulkAction>(actions: A[], signal?: AbortSignal) => {
        requests.push({
          at: Date.now(),
          items: actions.length,
          bytes: actions.reduce((s, a) => s + a.source.length, 0),
        });
        return inner.bulk(actions, signal);
      },
    });
    const factory = createTaskFactory({ config, kafka, opensearch, logger: testLogger(), wrapIndexer });
    const task: Task = factory(p, (e) => {
      throw e;
    });
    await task.start();
    await waitFor(() => task.snapshot().assignedPartitions.length === 1, {
      what: 'assignment',
      timeoutMs: 20_000,
    });
    const producedAt = Date.now();
    await produce(
      env,
      p.topics.input,
      records.map((value) => ({ value })),
    );
    await waitFor(async () => (await countDocs(env, p.index)) === expectDocs, {
      timeoutMs: 30_000,
      what: 'docs',
    });
    await waitFor(async () => (await groupLag(env, p.id, p.topics.input)) === 0, {
      timeoutMs: 15_000,
      what: 'lag 0',
    });
    await task.stop(5000);
    return { requests, producedAt };
  }

  it('flushes at flushItems', async () => {
    const n = 1000;
    const { requests } = await runTask(
      { mib: 50, items: 100, intervalSec: 60 },
      Array.from({ length: n }, (_, i) => goodRecord(i)),
      n,
    );
    expect(requests.reduce((s, r) => s + r.items, 0)).toBe(n);
    expect(requests.every((r) => r.items === 100)).toBe(true);
  });

  it('flushes at flushMiB', async () => {
    const n = 300;
    const limit = 0.01 * 1024 * 1024; // ~10 KiB
    const { requests } = await runTask(
      { mib: 0.01, items: 100_000, intervalSec: 2 },
      Array.from({ length: n }, (_, i) => goodRecord(i, 1000)),
      n,
    );
    expect(requests.reduce((s, r) => s + r.items, 0)).toBe(n);
    for (const r of requests) expect(r.bytes).toBeLessThanOrEqual(limit);
    // Every request but the last (the remainder, sent by the interval) is as full as the size allows:
    // ~1 KB documents, far below flushItems.
    for (const r of requests.slice(0, -1)) expect(r.items).toBeGreaterThanOrEqual(8);
    expect(requests.length).toBeGreaterThanOrEqual(Math.ceil((n * 1000) / limit));
  });

  it('flushes at flushIntervalSec when neither size nor count is reached', async () => {
    const { requests, producedAt } = await runTask(
      { mib: 50, items: 100_000, intervalSec: 1.5 },
      Array.from({ length: 5 }, (_, i) => goodRecord(i)),
      5,
    );
    expect(requests).toHaveLength(1);
    expect(requests[0]!.items).toBe(5);
    const waited = requests[0]!.at - producedAt;
    expect(waited).toBeGreaterThanOrEqual(1400);
    expect(waited).toBeLessThan(4000);
  });
});
