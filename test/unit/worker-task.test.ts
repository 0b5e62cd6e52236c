import { pipelineFromRow, pipelineToRow, type Pipeline } from '../../server/common/pipelines';
import { BulkRequestError } from '../../server/pipeline-worker/interfaces/bulkIndexer';
import { createPreparation, pipelineSteps } from '../../server/common/prepare/preparation';
import { createTask, Task, TaskOptions } from '../../server/pipeline-worker/logics/task';
import { deferred, FakeIndexer, FakeSink, FakeSource } from '../helpers/worker-fakes';
import { testLogger, waitFor } from '../helpers';

const T = 'sdp.p.input';

function pipeline(over: Partial<Pipeline> = {}): Pipeline {
  const p: Pipeline = {
    id: 'pid',
    name: 'p',
    description: '',
    index: 'idx',
    topics: { input: T, output: 'sdp.p.output', error: 'sdp.p.error' },
    partitions: 2,
    replicationFactor: 1,
    flush: { mib: null, items: null, intervalSec: null },
    idField: null,
    outputEnabled: true,
    processors: [],
    indexTemplate: null,
    schema: null,
    tests: [],
    status: 'running',
    version: 1,
    team: null,
    createdBy: 't',
    updatedBy: 't',
    createdAt: new Date(0).toISOString(),
    updatedAt: new Date(0).toISOString(),
    ...over,
  };
  return pipelineFromRow(pipelineToRow(p));
}

interface Harness {
  task: Task;
  source: FakeSource;
  indexer: FakeIndexer;
  errorSink: FakeSink;
  outputSink: FakeSink;
  failed: Error[];
}

async function harness(
  opts: {
    indexer?: FakeIndexer;
    limits?: { maxBytes: number; maxItems: number; intervalMs: number };
  } & Partial<TaskOptions> = {},
): Promise<Harness> {
  const source = new FakeSource();
  const indexer = opts.indexer ?? new FakeIndexer();
  const errorSink = new FakeSink();
  const outputSink = new FakeSink();
  const failed: Error[] = [];
  const task = createTask({
    pipeline: pipeline(),
    limits: opts.limits ?? { maxBytes: 1 << 20, maxItems: 5, intervalMs: 20 },
    prepare: createPreparation(pipelineSteps({ idField: null })),
    source,
    indexer,
    errorSink,
    outputSink,
    logger: testLogger(),
    options: {
      failureThreshold: opts.failureThreshold ?? 3,
      maxInFlight: opts.maxInFlight ?? 2,
      retry: opts.retry ?? { initialMs: 1, maxMs: 5 },
      commitIntervalMs: 50,
      bounds: opts.bounds,
    },
    onFailed: (e) => failed.push(e),
  });
  await task.start();
  source.assign(T, [0, 1]);
  return { task, source, indexer, errorSink, outputSink, failed };
}

const docs = (n: number, from = 0) => Array.from({ length: n }, (_, i) => JSON.stringify({ seq: from + i }));

describe('task', () => {
  it('indexes everything it takes and commits the end of each partition', async () => {
    const h = await harness();
    expect(h.source.offer(T, 0, 0, docs(12))).toBe(12);
    expect(h.source.offer(T, 1, 100, [...docs(3), 'bad json'])).toBe(4);
    await waitFor(() => h.source.committed(0) === 12 && h.source.committed(1) === 104, { timeoutMs: 5000 });
    expect(h.task.snapshot()).toMatchObject({ state: 'running', recordsIndexed: 15, recordsFailed: 1 });
    expect(h.errorSink.sent).toHaveLength(1);
    expect(h.outputSink.sent).toHaveLength(15);
    expect(Math.max(...h.indexer.requestSizes)).toBeLessThanOrEqual(5); // flushItems
    await h.task.stop(1000);
    expect(h.source.stopped).toBe(true);
    expect(h.task.snapshot().state).toBe('stopped');
  });

  it('never commits past an unfinished record when flushes finish out of order', async () => {
    const first = deferred();
    const ix = new FakeIndexer(async (actions, call) => {
      if (call === 1) await first.promise; // the first request (offsets 0-4) is slow
      return actions.map(() => ({ status: 201 }));
    });
    const h = await harness({ indexer: ix, maxInFlight: 2 });
    h.source.offer(T, 0, 0, docs(10));
    await waitFor(() => ix.calls.length === 2, { timeoutMs: 2000 });
    await new Promise((r) => setTimeout(r, 120)); // several commit ticks
    expect(h.source.commits.filter((c) => c.partition === 0)).toEqual([]); // 5-9 done, 0-4 not: nothing to commit
    first.resolve();
    await waitFor(() => h.source.committed(0) === 10, { timeoutMs: 2000 });
    await h.task.stop(1000);
  });

  it('pauses fetching when the buffer is full and resumes once it drains (memory stays bounded)', async () => {
    const gate = deferred();
    const ix = new FakeIndexer(async (actions) => {
      await gate.promise;
      return actions.map(() => ({ status: 201 }));
    });
    const bounds = { highBytes: 1 << 30, highItems: 20, lowBytes: 1 << 29, lowItems: 10 };
    const h = await harness({ indexer: ix, bounds, maxInFlight: 1 });
    const taken = h.source.offer(T, 0, 0, docs(50));
    expect(taken).toBe(20); // the rest stays in Kafka, fetched again after resume
    expect(h.source.paused).toBe(true);
    expect(h.source.offer(T, 1, 0, docs(5))).toBe(0);
    gate.resolve();
    await waitFor(() => !h.source.paused, { timeoutMs: 2000 });
    expect(h.source.pauseChanges).toEqual([true, false]);
    // Like kafkajs, offer again from the first record not taken, whenever fetching is not paused.
    let next = 20;
    while (next < 50) {
      await waitFor(() => !h.source.paused, { timeoutMs: 2000, intervalMs: 2 });
      next += h.source.offer(T, 0, next, docs(50 - next, next));
      const s = h.task.snapshot();
      expect(s.bufferedItems + s.inFlightItems).toBeLessThanOrEqual(20);
    }
    await waitFor(() => h.source.committed(0) === 50, { timeoutMs: 2000 });
    await h.task.stop(1000);
  });

  it('fails after failureThreshold consecutive failed attempts, without committing unfinished records', async () => {
    let down = false;
    const ix = new FakeIndexer((actions) => {
      if (down) throw new BulkRequestError('connect ECONNREFUSED 127.0.0.1:9200', {});
      return actions.map(() => ({ status: 201 }));
    });
    const h = await harness({ indexer: ix, failureThreshold: 3 });
    h.source.offer(T, 0, 0, docs(5));
    await waitFor(() => h.source.committed(0) === 5, { timeoutMs: 2000 });
    down = true;
    h.source.offer(T, 0, 5, docs(5, 5));
    await waitFor(() => h.failed.length === 1, { timeoutMs: 2000 });
    expect(h.task.snapshot()).toMatchObject({ state: 'failed', consecutiveFailures: 3 });
    expect(h.task.snapshot().lastError).toMatch(/ECONNREFUSED/);
    await h.task.stop();
    expect(h.source.stopped).toBe(true);
    expect(h.source.committed(0)).toBe(5);
    expect(h.errorSink.sent).toEqual([]); // an outage sends nothing to the error topic
  });

  it('goes failed when the consumer crashes for good (restart: false)', async () => {
    const h = await harness();
    h.source.handlers!.onCrash(new TypeError('boom'), false);
    expect(h.task.snapshot().state).toBe('failed');
    expect(h.failed).toHaveLength(1);
    await h.task.stop();
    expect(h.source.stopped).toBe(true);
  });

  it('counts a crash kafkajs restarts from as a failed attempt until the consumer joins again', async () => {
    const h = await harness();
    h.source.handlers!.onCrash(new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9092'), true);
    expect(h.task.snapshot()).toMatchObject({ state: 'running', consecutiveFailures: 1, backingOff: true });
    expect(h.task.snapshot().lastError).toMatch(/ECONNREFUSED/);
    expect(h.source.paused).toBe(true);
    h.source.assign(T, [0, 1]); // kafkajs restarted the consumer and it rejoined the group
    expect(h.task.snapshot()).toMatchObject({ state: 'running', consecutiveFailures: 0, backingOff: false });
    expect(h.source.paused).toBe(false);
    expect(h.failed).toEqual([]);
    await h.task.stop(1000);
  });

  it('goes failed when it cannot start (e.g. the topic does not exist)', async () => {
    const source = new FakeSource();
    source.startError = new Error('This server does not host this topic-partition');
    const failed: Error[] = [];
    const task = createTask({
      pipeline: pipeline(),
      limits: { maxBytes: 1000, maxItems: 5, intervalMs: 20 },
      prepare: createPreparation(pipelineSteps({ idField: null })),
      source,
      indexer: new FakeIndexer(),
      errorSink: new FakeSink(),
      outputSink: null,
      logger: testLogger(),
      options: {
        failureThreshold: 3,
        maxInFlight: 1,
        retry: { initialMs: 1, maxMs: 2 },
        commitIntervalMs: 50,
      },
      onFailed: (e) => failed.push(e),
    });
    await task.start();
    expect(task.snapshot().state).toBe('failed');
    expect(failed).toHaveLength(1);
    await task.stop();
  });

  it('drops buffered records of a revoked partition and commits only what it owns', async () => {
    const gate = deferred();
    const ix = new FakeIndexer(async (actions) => {
      await gate.promise;
      return actions.map(() => ({ status: 201 }));
    });
    const h = await harness({
      indexer: ix,
      maxInFlight: 1,
      limits: { maxBytes: 1 << 20, maxItems: 3, intervalMs: 10 },
    });
    h.source.offer(T, 0, 0, docs(3)); // in flight
    h.source.offer(T, 1, 0, docs(6)); // buffered
    h.source.assign(T, [0]); // partition 1 goes to another member
    gate.resolve();
    await waitFor(() => h.source.committed(0) === 3, { timeoutMs: 2000 });
    await new Promise((r) => setTimeout(r, 80));
    expect(h.source.commits.filter((c) => c.partition === 1)).toEqual([]);
    expect(h.task.snapshot().recordsIndexed).toBe(3);
    await h.task.stop(1000);
  });

  it('stop() drains the buffer, commits, and is idempotent', async () => {
    const h = await harness({ limits: { maxBytes: 1 << 20, maxItems: 1000, intervalMs: 60_000 } });
    h.source.offer(T, 0, 0, docs(7));
    expect(h.indexer.calls).toHaveLength(0); // below every threshold
    const a = h.task.stop(2000);
    const b = h.task.stop(2000);
    expect(a).toBe(b);
    await a;
    expect(h.indexer.requestSizes).toEqual([7]);
    expect(h.source.committed(0)).toBe(7);
    expect(h.source.paused).toBe(true);
    expect(h.errorSink.closed && h.outputSink.closed).toBe(true);
    expect(h.source.offer(T, 0, 7, docs(1))).toBe(0);
  });

  it('stop() is bounded when OpenSearch never answers, and commits only what finished', async () => {
    const ix = new FakeIndexer(() => new Promise(() => undefined));
    const h = await harness({ indexer: ix, limits: { maxBytes: 1 << 20, maxItems: 2, intervalMs: 10 } });
    h.source.offer(T, 0, 0, docs(4));
    const started = Date.now();
    await h.task.stop(200);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(h.source.commits).toEqual([]);
    expect(h.source.stopped).toBe(true);
  });

  it('flushes on the interval when neither size nor count is reached', async () => {
    const h = await harness({ limits: { maxBytes: 1 << 20, maxItems: 1000, intervalMs: 100 } });
    const t0 = Date.now();
    h.source.offer(T, 0, 0, docs(3));
    await waitFor(() => h.indexer.calls.length === 1, { timeoutMs: 2000, intervalMs: 5 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(95);
    expect(h.indexer.requestSizes).toEqual([3]);
    await h.task.stop(1000);
  });

  it('flushes at flushMiB before flushItems', async () => {
    const h = await harness({ limits: { maxBytes: 2000, maxItems: 1000, intervalMs: 60_000 } });
    const big = Array.from({ length: 10 }, (_, i) => JSON.stringify({ seq: i, pad: 'x'.repeat(450) }));
    h.source.offer(T, 0, 0, big);
    await waitFor(() => h.indexer.calls.length >= 2, { timeoutMs: 2000 });
    for (const c of h.indexer.calls) {
      const bytes = c.reduce((s, a) => s + a.source.length, 0);
      expect(bytes).toBeLessThanOrEqual(2000);
    }
    await h.task.stop(1000);
  });

  it('pauses fetching while it backs off, and resumes and catches up once OpenSearch answers', async () => {
    let down = true;
    const ix = new FakeIndexer((actions) => {
      if (down) throw new BulkRequestError('connect ECONNREFUSED 127.0.0.1:9200', {});
      return actions.map(() => ({ status: 201 }));
    });
    const h = await harness({ indexer: ix, failureThreshold: 1000, retry: { initialMs: 5, maxMs: 20 } });
    h.source.offer(T, 0, 0, docs(3));
    await waitFor(() => h.task.snapshot().consecutiveFailures >= 2, { timeoutMs: 2000 });
    expect(h.task.snapshot()).toMatchObject({ state: 'running', backingOff: true, paused: true });
    expect(h.source.paused).toBe(true);
    down = false;
    await waitFor(() => h.source.committed(0) === 3, { timeoutMs: 2000 });
    expect(h.task.snapshot()).toMatchObject({
      state: 'running',
      backingOff: false,
      paused: false,
      consecutiveFailures: 0,
    });
    expect(h.source.pauseChanges).toEqual([true, false]);
    expect(h.failed).toEqual([]);
    await h.task.stop(1000);
  });

  it('counts failed attempts per flush: flushes retrying side by side do not add up to the threshold', async () => {
    // Each of the two flushes fails 3 times (below the threshold of 4) before it goes through;
    // counted together they would be 6.
    const failuresOf = new Map<string, number>();
    const ix = new FakeIndexer((actions) => {
      const first = actions[0]!.id;
      const n = failuresOf.get(first) ?? 0;
      if (n < 3) {
        failuresOf.set(first, n + 1);
        throw new BulkRequestError('503', { status: 503 });
      }
      return actions.map(() => ({ status: 201 }));
    });
    const h = await harness({
      indexer: ix,
      maxInFlight: 2,
      failureThreshold: 4,
      retry: { initialMs: 5, maxMs: 5 },
    });
    h.source.offer(T, 0, 0, docs(10));
    await waitFor(() => h.source.committed(0) === 10, { timeoutMs: 3000 });
    expect(h.failed).toEqual([]);
    expect([...failuresOf.values()]).toEqual([3, 3]);
    expect(new Set(ix.calls.map((c) => c[0]!.id))).toEqual(new Set([`${T}-0-0`, `${T}-0-5`]));
    await h.task.stop(1000);
  });

  it('fails at once, without retrying, when the root cause says retrying cannot help', async () => {
    const h = await harness({ failureThreshold: 1000 });
    h.errorSink.failNext = 1;
    const denied = Object.assign(new Error('TOPIC_AUTHORIZATION_FAILED'), { retriable: false });
    h.errorSink.failWith = () => new Error('produce failed', { cause: denied });
    h.source.offer(T, 0, 0, ['not json']);
    await waitFor(() => h.failed.length === 1, { timeoutMs: 2000 });
    expect(h.failed[0]!.message).toBe('produce failed');
    expect(h.task.snapshot()).toMatchObject({ state: 'failed', consecutiveFailures: 0 });
    expect(h.source.commits).toEqual([]);
    await h.task.stop();
  });
});
