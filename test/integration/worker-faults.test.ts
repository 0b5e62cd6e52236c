import { consumerGroupFor, type Pipeline } from '../../server/common/pipelines';
import { goodRecord } from '../fixtures/worker-records';
import { waitFor } from '../helpers';
import {
  countDocs,
  createTestPipeline,
  duplicateSeqs,
  groupLag,
  produce,
  readTopic,
  topicSize,
  updatePipeline,
  WorkerEnv,
  workerEnvVars,
} from '../helpers/worker-env';
import { startOpenSearchProxy, withKafkaFrozen } from '../helpers/worker-faults';
import { killWorker, spawnWorker, WorkerProcess } from '../helpers/worker-process';
import { useWorkerSuite } from '../helpers/worker-suite';

jest.setTimeout(240_000);

const records = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => ({ key: String(from + i), value: goodRecord(from + i) }));

async function taskRow(env: WorkerEnv, p: Pipeline) {
  return env.db('pipeline_tasks').where({ pipeline_id: p.id }).first();
}

async function committedSum(env: WorkerEnv, p: Pipeline): Promise<number> {
  const [c] = await env.admin.fetchOffsets({ groupId: consumerGroupFor(p.id), topics: [p.topics.input] });
  return c!.partitions.reduce((s, x) => s + Math.max(0, Number(x.offset)), 0);
}

/**
 * A short flush backoff (200 ms doubling to 10 s) for tests that drive a task to its failure threshold
 * or through retry storms quickly; the shipped schedule (3 s to 20 s) is tested in retry.test.ts and
 * worker-service-faults.test.ts.
 */
const FAST_RETRY = { SDP_SERVER_RETRY_INITIAL_MS: '200', SDP_SERVER_RETRY_MAX_MS: '10000' };

describe('pipeline-worker under faults', () => {
  const suite = useWorkerSuite();

  it('OpenSearch unavailable: nothing lost or sent to the error topic, the task goes failed after the threshold, the watcher restarts it, and it catches up', async () => {
    const p = await createTestPipeline(suite.env);
    suite.track(p);
    const proxy = await startOpenSearchProxy(suite.env.config.opensearch.url);
    let worker: WorkerProcess | undefined;
    try {
      worker = spawnWorker(
        suite.entry,
        workerEnvVars(suite.env, {
          SDP_OPENSEARCH_URL: proxy.url,
          SDP_SERVER_FLUSH_ITEMS: '500',
          SDP_SERVER_FLUSH_INTERVAL_SEC: '0.3',
          SDP_SERVER_FAILURE_THRESHOLD: '3',
          ...FAST_RETRY,
          SDP_SERVER_WATCH_WORKERS_INTERVAL_MIN: '0.05',
        }),
        'os-outage',
      );
      await worker.ready;
      await produce(suite.env, p.topics.input, records(0, 2000));
      await waitFor(async () => (await countDocs(suite.env, p.index)) === 2000, {
        timeoutMs: 30_000,
        what: 'first 2000',
      });

      proxy.mode = '503';
      await produce(suite.env, p.topics.input, records(2000, 3000));
      const failed = await waitFor(
        async () => {
          const row = await taskRow(suite.env, p);
          return row?.state === 'failed' ? row : null;
        },
        { timeoutMs: 30_000, what: 'task failed', intervalMs: 100 },
      );
      expect(failed.last_error).toMatch(/503|unavailable/);
      expect(failed.consecutive_failures).toBeGreaterThanOrEqual(3);
      expect(failed.next_restart_at).toBeInstanceOf(Date);
      const frozen = await committedSum(suite.env, p);
      expect(frozen).toBeLessThanOrEqual(await countDocs(suite.env, p.index));

      // Still down: the watcher restarts it (a new attempt, which fails again, with backoff).
      proxy.mode = 'reset';
      await waitFor(async () => (await taskRow(suite.env, p))?.restart_count >= 1, {
        timeoutMs: 30_000,
        what: 'watcher restart',
      });
      expect(await committedSum(suite.env, p)).toBe(frozen); // nothing committed past unindexed records
      expect(await topicSize(suite.env, p.topics.error)).toBe(0);

      proxy.mode = 'pass';
      await waitFor(async () => (await countDocs(suite.env, p.index)) === 5000, {
        timeoutMs: 60_000,
        what: 'caught up',
      });
      await waitFor(async () => (await groupLag(suite.env, p.id, p.topics.input)) === 0, {
        timeoutMs: 20_000,
        what: 'lag 0',
      });
      await waitFor(async () => (await taskRow(suite.env, p))?.state === 'running', {
        timeoutMs: 10_000,
        what: 'running',
      });
      expect(await duplicateSeqs(suite.env, p.index)).toEqual([]);
      expect(await topicSize(suite.env, p.topics.error)).toBe(0);
      expect(proxy.counts['503'] + proxy.counts.reset).toBeGreaterThanOrEqual(3);
      worker.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
    } finally {
      proxy.mode = 'pass';
      await killWorker(worker);
      await proxy.close();
    }
  });

  it('a version bump (PUT status running) restarts a failed task at once, without waiting for the watcher', async () => {
    const p = await createTestPipeline(suite.env, { partitions: 1 });
    suite.track(p);
    const proxy = await startOpenSearchProxy(suite.env.config.opensearch.url);
    let worker: WorkerProcess | undefined;
    try {
      proxy.mode = '503';
      worker = spawnWorker(
        suite.entry,
        workerEnvVars(suite.env, {
          SDP_OPENSEARCH_URL: proxy.url,
          SDP_SERVER_FLUSH_INTERVAL_SEC: '0.2',
          SDP_SERVER_FAILURE_THRESHOLD: '2',
          ...FAST_RETRY,
          SDP_SERVER_WATCH_WORKERS_INTERVAL_MIN: '60',
        }),
        'version-bump',
      );
      await worker.ready;
      await produce(suite.env, p.topics.input, records(0, 300));
      await waitFor(async () => (await taskRow(suite.env, p))?.state === 'failed', {
        timeoutMs: 30_000,
        what: 'failed',
      });
      proxy.mode = 'pass';
      const t0 = Date.now();
      await updatePipeline(suite.env, p, { status: 'running' });
      await waitFor(async () => (await countDocs(suite.env, p.index)) === 300, {
        timeoutMs: 20_000,
        what: 'restarted',
      });
      expect(Date.now() - t0).toBeLessThan(15_000); // the watcher would have waited an hour
      await waitFor(
        async () => {
          const row = await taskRow(suite.env, p);
          return row?.state === 'running' && row.pipeline_version === 2 && row.restart_count === 1;
        },
        { timeoutMs: 10_000, what: 'status after restart' },
      );
    } finally {
      proxy.mode = 'pass';
      await killWorker(worker);
      await proxy.close();
    }
  });

  it('a 429 storm is retried with backoff (no error records); a body refused with 413 is split until the one oversized record goes to the error topic', async () => {
    const p = await createTestPipeline(suite.env, {
      partitions: 1,
      flush: { mib: 1, items: null, intervalSec: 0.3 },
    });
    suite.track(p);
    const proxy = await startOpenSearchProxy(suite.env.config.opensearch.url);
    let worker: WorkerProcess | undefined;
    try {
      worker = spawnWorker(
        suite.entry,
        workerEnvVars(suite.env, {
          SDP_OPENSEARCH_URL: proxy.url,
          SDP_SERVER_FAILURE_THRESHOLD: '1000',
          ...FAST_RETRY,
        }),
        'storm-413',
      );
      await worker.ready;
      proxy.mode = '429';
      await produce(suite.env, p.topics.input, records(0, 1000));
      await waitFor(() => proxy.counts['429'] >= 4, { timeoutMs: 30_000, what: 'a few 429s' });
      proxy.mode = 'pass';
      await waitFor(async () => (await countDocs(suite.env, p.index)) === 1000, {
        timeoutMs: 30_000,
        what: 'after the storm',
      });

      // 300 KB bodies are refused: a 1 MiB flush of small records plus one ~400 KB record.
      proxy.maxBodyBytes = 300_000;
      const big = JSON.stringify({ seq: 5_000_000, pad: 'y'.repeat(400_000) });
      await produce(suite.env, p.topics.input, [
        ...records(1000, 500),
        { key: 'big', value: big },
        ...records(1500, 500),
      ]);
      const [err] = await readTopic(suite.env, p.topics.error, 1);
      expect(JSON.parse(err!.value)).toMatchObject({
        stage: 'index',
        errorType: 'request_entity_too_large',
        status: 413,
      });
      expect(err!.key).toBe('big');
      await waitFor(async () => (await countDocs(suite.env, p.index)) === 2000, {
        timeoutMs: 30_000,
        what: 'neighbours indexed',
      });
      await waitFor(async () => (await groupLag(suite.env, p.id, p.topics.input)) === 0, {
        timeoutMs: 20_000,
        what: 'lag 0',
      });
      expect(await topicSize(suite.env, p.topics.error)).toBe(1);
      expect(proxy.counts.tooLarge).toBeGreaterThanOrEqual(2);
      expect(await duplicateSeqs(suite.env, p.index)).toEqual([]);
    } finally {
      proxy.mode = 'pass';
      proxy.maxBodyBytes = 0;
      await killWorker(worker);
      await proxy.close();
    }
  });

  it('write-blocked index (403 cluster_block_exception per item) for longer than the session timeout: blocks and retries without being evicted from the group, then catches up with no error records', async () => {
    const p = await createTestPipeline(suite.env, { partitions: 1 });
    suite.track(p);
    let worker: WorkerProcess | undefined;
    const members = async () =>
      (await suite.env.admin.describeGroups([`sdp.pipeline.${p.id}`])).groups[0]!.members.map(
        (m) => m.memberId,
      );
    try {
      worker = spawnWorker(
        suite.entry,
        workerEnvVars(suite.env, {
          SDP_SERVER_FLUSH_INTERVAL_SEC: '0.3',
          SDP_SERVER_FAILURE_THRESHOLD: '1000',
          ...FAST_RETRY,
        }),
        'write-block',
      );
      await worker.ready;
      await produce(suite.env, p.topics.input, records(0, 500));
      await waitFor(async () => (await countDocs(suite.env, p.index)) === 500, {
        timeoutMs: 30_000,
        what: 'first 500',
      });
      const before = await members();
      expect(before).toHaveLength(1);
      await suite.env.os.indices.putSettings({ index: p.index, body: { 'index.blocks.write': true } });
      try {
        await produce(suite.env, p.topics.input, records(500, 5000));
        const blockedAt = Date.now();
        await waitFor(async () => (await taskRow(suite.env, p))?.consecutive_failures >= 2, {
          timeoutMs: 30_000,
          what: 'blocked attempts',
        });
        // Hold the block well past the 6 s session timeout: the member must keep heartbeating.
        await waitFor(() => Date.now() - blockedAt > 15_000, { timeoutMs: 20_000, what: 'a long outage' });
        expect(await countDocs(suite.env, p.index)).toBe(500);
        expect(await committedSum(suite.env, p)).toBe(500);
        expect(await members()).toEqual(before);
        expect((await taskRow(suite.env, p))?.state).toBe('running');
      } finally {
        await suite.env.os.indices.putSettings({ index: p.index, body: { 'index.blocks.write': false } });
      }
      await waitFor(async () => (await countDocs(suite.env, p.index)) === 5500, {
        timeoutMs: 30_000,
        what: 'caught up',
      });
      await waitFor(async () => (await groupLag(suite.env, p.id, p.topics.input)) === 0, {
        timeoutMs: 20_000,
        what: 'lag 0',
      });
      expect(await topicSize(suite.env, p.topics.error)).toBe(0);
      expect(await members()).toEqual(before); // never evicted, no rebalance
    } finally {
      await killWorker(worker);
    }
  });

  it('Kafka broker frozen (SIGSTOP) mid-stream for longer than the session timeout: recovers with no loss', async () => {
    const p = await createTestPipeline(suite.env);
    suite.track(p);
    let worker: WorkerProcess | undefined;
    try {
      await produce(suite.env, p.topics.input, records(0, 20_000));
      worker = spawnWorker(
        suite.entry,
        workerEnvVars(suite.env, {
          SDP_SERVER_FLUSH_ITEMS: '500',
          SDP_SERVER_FLUSH_INTERVAL_SEC: '0.3',
          SDP_SERVER_FAILURE_THRESHOLD: '5',
          ...FAST_RETRY,
          SDP_SERVER_WATCH_WORKERS_INTERVAL_MIN: '0.05',
          SDP_KAFKA_SOCKET_TIMEOUT_MS: '5000',
        }),
        'kafka-freeze',
      );
      await worker.ready;
      await waitFor(async () => (await countDocs(suite.env, p.index)) >= 3000, {
        timeoutMs: 60_000,
        what: '3000 docs',
        intervalMs: 50,
      });
      await withKafkaFrozen(12_000);
      await produce(suite.env, p.topics.input, records(20_000, 10_000));
      await waitFor(async () => (await countDocs(suite.env, p.index)) === 30_000, {
        timeoutMs: 90_000,
        what: 'all 30000',
      });
      await waitFor(async () => (await groupLag(suite.env, p.id, p.topics.input)) === 0, {
        timeoutMs: 30_000,
        what: 'lag 0',
      });
      expect(await duplicateSeqs(suite.env, p.index)).toEqual([]);
      expect(await topicSize(suite.env, p.topics.error)).toBe(0);
      worker.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
    } finally {
      await killWorker(worker);
    }
  });
});
