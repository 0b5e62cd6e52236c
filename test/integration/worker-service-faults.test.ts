import type { Pipeline } from '../../server/common/pipelines';
import { waitFor } from '../helpers';
import {
  exactness,
  ExactnessReport,
  killService,
  ObservedReader,
  readInputTruth,
  ServiceName,
  servicesUp,
  sleep,
  startObservedReader,
  startServices,
  startTaskSampler,
  steadyProducer,
  SteadyProducer,
  TaskSampler,
} from '../helpers/stack-faults';
import {
  countDocs,
  createTestPipeline,
  groupLag,
  updatePipeline,
  WorkerEnv,
  workerEnvVars,
} from '../helpers/worker-env';
import { killWorker, spawnWorker, WorkerProcess } from '../helpers/worker-process';
import { useWorkerSuite } from '../helpers/worker-suite';

// kill -9 of the real services (scripts/stack.sh kill) while records flow to real worker processes.
// Run alone on the shared stack: under `flock /tmp/sdp-stack.lock`, with SDP_STACK_DIR naming the
// stack directory whose pid files name the services.

/** How long a service stays down: past the 6 s session timeout, well under the 2 min a task must ride out. */
const DOWN_MS = 20_000;
/** The pipeline's observed status must be `running` again this soon after the service answers. */
const RUNNING_BOUND_MS = 60_000;
/** Records keep flowing this long after the restart, before the producer stops. */
const PRODUCE_AFTER_MS = 5_000;

/** Polls `fn` until true: the ms it took, or null when `boundMs` passed first. */
async function timeUntil(
  fn: () => Promise<boolean>,
  boundMs: number,
  intervalMs = 500,
): Promise<number | null> {
  const t0 = Date.now();
  while (Date.now() - t0 <= boundMs) {
    if (await fn().catch(() => false)) return Date.now() - t0;
    await sleep(intervalMs);
  }
  return null;
}

interface Live {
  name: string;
  w: WorkerProcess;
  port: number;
}

const workerVars = (env: WorkerEnv) =>
  workerEnvVars(env, { SDP_SERVER_FLUSH_ITEMS: '500', SDP_SERVER_FLUSH_INTERVAL_SEC: '0.2' });

/** The running task rows of the given workers (by pid in the worker id) cover partitions 0-2, each once, on all of them. */
async function spreadOver(env: WorkerEnv, p: Pipeline, live: Live[]): Promise<boolean> {
  const rows = (await env.db('pipeline_tasks').where({ pipeline_id: p.id, state: 'running' })) as Array<{
    worker_id: string;
    assigned_partitions: string;
  }>;
  const mine = rows.filter((r) => live.some((l) => r.worker_id.includes(`-${l.w.pid}-`)));
  const parts = mine.flatMap((r) => JSON.parse(r.assigned_partitions) as number[]);
  return (
    mine.length === live.length &&
    mine.every((r) => r.assigned_partitions !== '[]') &&
    parts.sort().join() === '0,1,2'
  );
}

/** Waits until the index holds every valid record and the group committed to the end (ms, or null). */
async function caughtUp(env: WorkerEnv, p: Pipeline, valid: number, boundMs: number): Promise<number | null> {
  return timeUntil(
    async () => (await countDocs(env, p.index)) >= valid && (await groupLag(env, p.id, p.topics.input)) === 0,
    boundMs,
    1000,
  );
}

function expectExact(report: ExactnessReport): void {
  expect(report).toMatchObject({
    missingDocs: 0,
    extraDocs: 0,
    errorMissing: 0,
    errorUnexpected: 0,
    ackedLost: 0,
  });
  expect(report.docs).toBe(report.valid);
  expect(report.errorDistinct).toBe(report.invalid);
  expect(report.valid).toBeGreaterThan(0);
  expect(report.invalid).toBeGreaterThan(0);
}

describe('pipeline-worker through kill -9 of the real services, and rebalances under load', () => {
  const suite = useWorkerSuite();
  let mgmt: ObservedReader | undefined;

  beforeAll(async () => {
    // knex prints every failed connect while MariaDB is down; the timeline says it once.
    const log = console.log.bind(console);
    jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      if (/^(Acquire connection error|Connection Error)/.test(String(args[0]))) return;
      log(...args);
    });
    const up = await servicesUp();
    if (!up.mariadb || !up.kafka || !up.opensearch) await startServices();
    mgmt = await startObservedReader(suite.env);
  });
  afterAll(async () => {
    // Whatever happened, leave the shared services up.
    await startServices();
    await mgmt?.stop();
  });

  async function outage(service: ServiceName): Promise<void> {
    const env = suite.env;
    const p = suite.track(await createTestPipeline(env, { outputEnabled: false }));
    const live: Live[] = [];
    let producer: SteadyProducer | undefined;
    let sampler: TaskSampler | undefined;
    let down = false;
    try {
      for (const name of ['a', 'b']) {
        const w = spawnWorker(suite.entry, workerVars(env), `${service}-kill-${name}`);
        live.push({ name, w, port: await w.ready });
      }
      await waitFor(() => spreadOver(env, p, live), {
        timeoutMs: 30_000,
        what: 'partitions over two workers',
      });
      sampler = startTaskSampler({ env, pipelineId: p.id, workers: () => live, observed: mgmt! });
      producer = steadyProducer(env, p.topics.input);
      await waitFor(async () => (await countDocs(env, p.index)) >= 3000, {
        timeoutMs: 60_000,
        what: '3000 documents before the fault',
      });

      sampler.mark(`kill -9 ${service}`);
      down = true;
      await killService(service);
      await sleep(DOWN_MS);
      sampler.mark(`starting ${service}`);
      const restartMs = await startServices();
      down = false;
      sampler.mark(`${service} answers`);
      // A task that already failed waits for the watcher (5 min by default): no point waiting a minute
      // for `running`, the liveness assertion below fails on the failed samples anyway.
      const failedWhileDown = sampler.failed().length > 0;
      const running = failedWhileDown
        ? Promise.resolve(null)
        : timeUntil(async () => (await mgmt!.observed(p.id)).status === 'running', RUNNING_BOUND_MS);
      await sleep(PRODUCE_AFTER_MS);
      await producer.stop();
      const runningMs = await running;
      const failedSamples = sampler.failed();
      if (runningMs === null && failedSamples.length > 0) {
        // A version bump restarts failed tasks at once, so that the exactness proof still runs.
        sampler.mark('version bump to restart failed tasks');
        await updatePipeline(env, p, { status: 'running' });
      }
      const truth = await readInputTruth(env, p.topics.input);
      const catchUpMs = await caughtUp(env, p, truth.validIds.size, 120_000);
      const report = await exactness(env, p, truth, producer.ackedKeys());
      await sampler.stop();
      console.log(
        `kill -9 ${service}: down ${DOWN_MS} ms, restart took ${restartMs} ms; observed running ` +
          `${runningMs !== null ? `${runningMs} ms after it answered` : failedWhileDown ? 'not waited for (a task failed while it was down)' : `NOT within ${RUNNING_BOUND_MS} ms`}; ` +
          `caught up ${catchUpMs ?? 'never'} ms after the producer stopped; producer ${JSON.stringify(producer.stats())}\n` +
          `exactness ${JSON.stringify(report)}\n` +
          `${failedSamples.length} samples with a failed/restarted task\n${sampler.timeline()}`,
      );
      expectExact(report);
      expect(catchUpMs).not.toBeNull();
      // What the worker-core change guarantees: no task failed during an outage under 2 minutes, and
      // running again within a minute of the service answering.
      expect({ failedSamples: failedSamples.length, runningWithinBound: runningMs !== null }).toEqual({
        failedSamples: 0,
        runningWithinBound: true,
      });
    } finally {
      await producer?.stop();
      await sampler?.stop();
      await Promise.all(live.map((l) => killWorker(l.w)));
      if (down) await startServices();
    }
  }

  it('kill -9 of MariaDB for 20 s while two workers index: every valid record once, only the invalid ones in the error topic, running again', async () => {
    await outage('mariadb');
  }, 300_000);

  it('kill -9 of OpenSearch for 20 s while two workers index: every valid record once, only the invalid ones in the error topic, running again', async () => {
    await outage('opensearch');
  }, 300_000);

  it('kill -9 of the Kafka broker for 20 s while two workers index and the producer rides it out: every valid record once, only the invalid ones in the error topic, running again', async () => {
    await outage('kafka');
  }, 300_000);

  it('rebalance under load: a second worker joins, the first is killed -9, a third joins, the second stops with SIGTERM: every valid record once', async () => {
    const env = suite.env;
    const p = suite.track(await createTestPipeline(env, { outputEnabled: false }));
    const live: Live[] = [];
    let producer: SteadyProducer | undefined;
    let sampler: TaskSampler | undefined;
    const add = async (name: string) => {
      const w = spawnWorker(suite.entry, workerVars(env), `rebalance-${name}`);
      live.push({ name, w, port: await w.ready });
      sampler?.mark(`${name} started`);
    };
    const remove = async (name: string, signal: 'SIGKILL' | 'SIGTERM') => {
      const i = live.findIndex((l) => l.name === name);
      const [gone] = live.splice(i, 1);
      sampler?.mark(`${name} ${signal}`);
      gone!.w.kill(signal);
      return gone!.w.exited;
    };
    const spread = (what: string) =>
      waitFor(() => spreadOver(env, p, live), { timeoutMs: 45_000, what, intervalMs: 500 });
    const docs = (n: number) =>
      waitFor(async () => (await countDocs(env, p.index)) >= n, {
        timeoutMs: 60_000,
        what: `${n} documents`,
      });
    try {
      await add('a');
      await spread('all partitions on a');
      sampler = startTaskSampler({ env, pipelineId: p.id, workers: () => live, observed: mgmt! });
      producer = steadyProducer(env, p.topics.input);
      await docs(3000);
      await add('b');
      await spread('partitions over a and b');
      await docs(8000);
      await remove('a', 'SIGKILL');
      await spread('all partitions on b after a was killed');
      await add('c');
      await spread('partitions over b and c');
      await docs(16_000);
      expect(await remove('b', 'SIGTERM')).toBe(0);
      await spread('all partitions on c after b stopped');
      await sleep(PRODUCE_AFTER_MS);
      await producer.stop();
      const truth = await readInputTruth(env, p.topics.input);
      const catchUpMs = await caughtUp(env, p, truth.validIds.size, 90_000);
      const report = await exactness(env, p, truth, producer.ackedKeys());
      const observed = await mgmt!.observed(p.id);
      await sampler.stop();
      console.log(
        `rebalance: caught up ${catchUpMs ?? 'never'} ms after the producer stopped; observed ${JSON.stringify(observed)}; ` +
          `producer ${JSON.stringify(producer.stats())}\nexactness ${JSON.stringify(report)}\n${sampler.timeline()}`,
      );
      expectExact(report);
      expect(catchUpMs).not.toBeNull();
      expect(sampler.failed()).toHaveLength(0);
    } finally {
      await producer?.stop();
      await sampler?.stop();
      await Promise.all(live.map((l) => killWorker(l.w)));
    }
  }, 240_000);
});
