import { readFileSync } from 'node:fs';
import type { Pipeline } from '../../server/common/pipelines';
import { goodRecord } from '../fixtures/worker-records';
import { waitFor } from '../helpers';
import {
  countDocs,
  createTestPipeline,
  createWorkerEnv,
  dropTestPipeline,
  groupLag,
  produce,
  WorkerEnv,
  workerEnvVars,
} from '../helpers/worker-env';
import { buildWorker, killWorker, spawnWorker, WorkerProcess } from '../helpers/worker-process';

/**
 * A first throughput figure for one worker: N records of ~1 KB already in the input topic, the
 * worker started with the server's default flush settings, timed until every record is indexed and
 * committed. Opt-in (SDP_WORKER_BENCH=1; SDP_WORKER_BENCH_RECORDS, default 100000): it is a
 * measurement, not a check, and takes a minute or two.
 */
const enabled = process.env.SDP_WORKER_BENCH === '1';
const N = Number(process.env.SDP_WORKER_BENCH_RECORDS ?? 100_000);

function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

(enabled ? describe : describe.skip)('worker throughput (opt-in: SDP_WORKER_BENCH=1)', () => {
  jest.setTimeout(600_000);
  let env: WorkerEnv;
  let entry: string;
  const pipelines: Pipeline[] = [];

  beforeAll(async () => {
    [env, entry] = await Promise.all([createWorkerEnv(), buildWorker()]);
  });
  afterEach(async () => {
    await env.db('pipelines').delete();
  });
  afterAll(async () => {
    for (const p of pipelines) await dropTestPipeline(env, p);
    await env?.close();
  });

  it.each([
    ['output topic on', true],
    ['output topic off', false],
  ])(`indexes ${N} records of ~1 KB (%s)`, async (_label, outputEnabled) => {
    const p = await createTestPipeline(env, { outputEnabled });
    pipelines.push(p);
    const values = Array.from({ length: N }, (_, seq) => ({
      key: String(seq),
      value: goodRecord(seq, 1024),
    }));
    await produce(env, p.topics.input, values, 1000);
    let worker: WorkerProcess | undefined;
    try {
      const nodeArgs = (process.env.SDP_WORKER_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
      worker = spawnWorker(
        entry,
        workerEnvVars(env, { SDP_LOG_LOG_LEVEL: process.env.SDP_WORKER_BENCH_LOG_LEVEL ?? 'warn' }),
        'throughput',
        nodeArgs,
      );
      const t0 = Date.now();
      let firstDocAt = 0;
      await waitFor(
        async () => {
          if (!firstDocAt && (await countDocs(env, p.index)) > 0) firstDocAt = Date.now();
          return (await groupLag(env, p.id, p.topics.input)) === 0;
        },
        {
          timeoutMs: 540_000,
          intervalMs: 250,
          what: 'lag 0',
        },
      );
      const seconds = (Date.now() - t0) / 1000;
      const rss = peakRssMiB(worker.pid);
      expect(await countDocs(env, p.index)).toBe(N);
      worker.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
      console.log(
        `worker throughput (${outputEnabled ? 'output on' : 'output off'}): ${N} records of ~1 KB in ${seconds.toFixed(1)} s ` +
          `(from process start to lag 0) = ${Math.round(N / seconds)} records/s; ` +
          `${Math.round(N / ((Date.now() - firstDocAt) / 1000))} records/s from the first document; peak RSS ${rss} MiB`,
      );
    } finally {
      await killWorker(worker);
    }
  });
});
