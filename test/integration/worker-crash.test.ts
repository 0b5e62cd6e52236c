import type { Pipeline } from '../../server/common/pipelines';
import { ERROR_HEADERS } from '../../server/pipeline-worker/logics/envelopes';
import { goodRecord } from '../fixtures/worker-records';
import { waitFor } from '../helpers';
import {
  countDocs,
  createTestPipeline,
  duplicateSeqs,
  groupLag,
  produce,
  readTopic,
  rewrittenDocs,
  topicSize,
  WorkerEnv,
  workerEnvVars,
} from '../helpers/worker-env';
import { killWorker, spawnWorker, WorkerProcess } from '../helpers/worker-process';
import { useWorkerSuite } from '../helpers/worker-suite';

jest.setTimeout(240_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Produces `chunks` x `perChunk` records (every 97th invalid JSON) with a pause between sends. */
function backgroundProducer(
  env: WorkerEnv,
  topic: string,
  chunks: number,
  perChunk: number,
  pauseMs: number,
) {
  let valid = 0;
  let invalid = 0;
  let stop = false;
  const done = (async () => {
    for (let c = 0; c < chunks && !stop; c++) {
      const values = [];
      for (let i = 0; i < perChunk; i++) {
        const seq = c * perChunk + i;
        if (seq % 97 === 96) {
          invalid++;
          values.push({ key: `bad-${seq}`, value: `{"seq": ${seq}, broken` });
        } else {
          valid++;
          values.push({ key: String(seq), value: goodRecord(seq) });
        }
      }
      await produce(env, topic, values);
      await sleep(pauseMs);
    }
  })();
  return {
    done,
    stop: () => {
      stop = true;
    },
    counts: () => ({ valid, invalid }),
  };
}

/** Committed offsets of the group reach the end of every partition. */
async function committedAtEnd(env: WorkerEnv, p: Pipeline): Promise<boolean> {
  const ends = await env.admin.fetchTopicOffsets(p.topics.input);
  const [committed] = await env.admin.fetchOffsets({
    groupId: `sdp.pipeline.${p.id}`,
    topics: [p.topics.input],
  });
  return ends.every((e) => committed!.partitions.find((c) => c.partition === e.partition)?.offset === e.high);
}

/** Distinct (topic, partition, offset) source coordinates in the error topic. */
async function distinctErrorSources(env: WorkerEnv, p: Pipeline, atLeast: number): Promise<Set<string>> {
  const records = await readTopic(env, p.topics.error, atLeast, 60_000);
  return new Set(
    records.map(
      (r) =>
        `${r.headers[ERROR_HEADERS.srcTopic]}/${r.headers[ERROR_HEADERS.srcPartition]}/${r.headers[ERROR_HEADERS.srcOffset]}`,
    ),
  );
}

describe('pipeline-worker crashes and restarts', () => {
  const suite = useWorkerSuite();

  it('kill -9 of workers mid-stream (3 times, two workers sharing the group): every valid record indexed exactly once, offsets committed to the end', async () => {
    const p = await createTestPipeline(suite.env, { outputEnabled: false });
    suite.track(p);
    const vars = workerEnvVars(suite.env, {
      SDP_SERVER_FLUSH_ITEMS: '300',
      SDP_SERVER_FLUSH_INTERVAL_SEC: '0.2',
    });
    const workers: Array<WorkerProcess | undefined> = [];
    const producer = backgroundProducer(suite.env, p.topics.input, 60, 1000, 250);
    try {
      workers[0] = spawnWorker(suite.entry, vars, 'crash-a');
      workers[1] = spawnWorker(suite.entry, vars, 'crash-b');
      await Promise.all([workers[0].ready, workers[1].ready]);
      // Kafka's group protocol spreads the partitions over both workers.
      await waitFor(
        async () => {
          const rows = await suite.env.db('pipeline_tasks').where({ pipeline_id: p.id, state: 'running' });
          const parts = rows.flatMap((r) => JSON.parse(r.assigned_partitions) as number[]);
          return (
            rows.length === 2 &&
            rows.every((r) => r.assigned_partitions !== '[]') &&
            parts.sort().join() === '0,1,2'
          );
        },
        { timeoutMs: 30_000, what: 'partitions spread over two workers' },
      );
      const kills = [
        { victim: 0, atDocs: 8_000 },
        { victim: 1, atDocs: 20_000 },
        { victim: 0, atDocs: 34_000 },
      ];
      for (const k of kills) {
        await waitFor(async () => (await countDocs(suite.env, p.index)) >= k.atDocs, {
          timeoutMs: 60_000,
          what: `${k.atDocs} docs`,
          intervalMs: 100,
        });
        workers[k.victim]!.kill('SIGKILL');
        await workers[k.victim]!.exited;
        workers[k.victim] = spawnWorker(suite.entry, vars, `crash-${k.victim}-again`);
        await workers[k.victim]!.ready;
      }
      await producer.done;
      const { valid, invalid } = producer.counts();
      await waitFor(async () => (await countDocs(suite.env, p.index)) === valid, {
        timeoutMs: 90_000,
        what: `${valid} docs`,
      });
      await waitFor(() => committedAtEnd(suite.env, p), {
        timeoutMs: 30_000,
        what: 'offsets committed to the end',
      });
      expect(await countDocs(suite.env, p.index)).toBe(valid);
      expect(await duplicateSeqs(suite.env, p.index)).toEqual([]);
      expect(await groupLag(suite.env, p.id, p.topics.input)).toBe(0);
      // Errors: at least once; exactly the invalid records once deduplicated on the source headers.
      const raw = await topicSize(suite.env, p.topics.error);
      expect(raw).toBeGreaterThanOrEqual(invalid);
      expect((await distinctErrorSources(suite.env, p, raw)).size).toBe(invalid);
      const rewritten = await rewrittenDocs(suite.env, p.index);
      console.log(
        `kill -9 x3: ${valid} valid, ${invalid} invalid; ${rewritten} documents re-written by replays ` +
          `(deterministic _id), ${raw - invalid} error records repeated`,
      );
    } finally {
      producer.stop();
      await producer.done.catch(() => undefined);
      await Promise.all(workers.map((w) => killWorker(w)));
    }
  });

  it('SIGTERM mid-stream drains, commits and exits 0: the next worker replays nothing (every _version is 1)', async () => {
    const p = await createTestPipeline(suite.env, { outputEnabled: true, partitions: 2 });
    suite.track(p);
    const vars = workerEnvVars(suite.env, {
      SDP_SERVER_FLUSH_ITEMS: '200',
      SDP_SERVER_FLUSH_INTERVAL_SEC: '5',
      SDP_SERVER_SHUTDOWN_TIMEOUT_SEC: '20',
    });
    const producer = backgroundProducer(suite.env, p.topics.input, 40, 200, 100);
    let worker: WorkerProcess | undefined;
    try {
      worker = spawnWorker(suite.entry, vars, 'sigterm-1');
      await worker.ready;
      await waitFor(async () => (await countDocs(suite.env, p.index)) >= 2000, {
        timeoutMs: 60_000,
        what: '2000 docs',
      });
      const t0 = Date.now();
      worker.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
      expect(Date.now() - t0).toBeLessThan(20_000);
      // What it committed is exactly what it finished: indexed documents plus error records.
      const [committed] = await suite.env.admin.fetchOffsets({
        groupId: `sdp.pipeline.${p.id}`,
        topics: [p.topics.input],
      });
      const committedSum = committed!.partitions.reduce((s, c) => s + Math.max(0, Number(c.offset)), 0);
      const finished = (await countDocs(suite.env, p.index)) + (await topicSize(suite.env, p.topics.error));
      expect(committedSum).toBe(finished);
      expect(await topicSize(suite.env, p.topics.output)).toBe(await countDocs(suite.env, p.index));

      await producer.done;
      worker = spawnWorker(suite.entry, vars, 'sigterm-2');
      await worker.ready;
      const { valid, invalid } = producer.counts();
      await waitFor(async () => (await countDocs(suite.env, p.index)) === valid, {
        timeoutMs: 60_000,
        what: `${valid} docs`,
      });
      await waitFor(async () => (await groupLag(suite.env, p.id, p.topics.input)) === 0, {
        timeoutMs: 20_000,
        what: 'lag 0',
      });
      worker.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
      expect(await groupLag(suite.env, p.id, p.topics.input)).toBe(0);
      expect(valid).toBeLessThanOrEqual(10_000);
      const all = await suite.env.os.search({
        index: p.index,
        body: { size: 10_000, version: true, _source: false, query: { match_all: {} } },
      });
      const versions = (all.body.hits.hits as Array<{ _version: number }>).map((h) => h._version);
      expect(versions).toHaveLength(valid);
      expect(versions.filter((v) => v !== 1)).toEqual([]);
      expect(await topicSize(suite.env, p.topics.error)).toBe(invalid); // no error record repeated
      expect(await topicSize(suite.env, p.topics.output)).toBe(valid); // nor output record
    } finally {
      producer.stop();
      await producer.done.catch(() => undefined);
      await killWorker(worker);
    }
  });
});
