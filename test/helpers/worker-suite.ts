import type { Pipeline } from '../../server/common/pipelines';
import { createWorkerEnv, dropTestPipeline, WorkerEnv } from './worker-env';
import { buildWorker } from './worker-process';

export interface WorkerSuite {
  /** The suite's real services (a fresh database, Kafka and OpenSearch clients). */
  readonly env: WorkerEnv;
  /** The compiled worker entry point to spawn. */
  readonly entry: string;
  /** Registers a pipeline whose topics and index are dropped after the suite. */
  track(p: Pipeline): Pipeline;
}

/**
 * The hooks every worker suite needs: services and a compiled worker before, each test's pipeline rows
 * removed after it (a later test's worker must not pick them up), topics and indices dropped at the end.
 */
export function useWorkerSuite(): WorkerSuite {
  let env: WorkerEnv | undefined;
  let entry: string | undefined;
  const pipelines: Pipeline[] = [];
  beforeAll(async () => {
    [env, entry] = await Promise.all([createWorkerEnv(), buildWorker()]);
  });
  afterEach(async () => {
    await env?.db('pipelines').delete();
  });
  afterAll(async () => {
    if (!env) return;
    for (const p of pipelines) await dropTestPipeline(env, p);
    await env.close();
  });
  return {
    get env() {
      if (!env) throw new Error('worker suite not set up yet');
      return env;
    },
    get entry() {
      if (!entry) throw new Error('worker suite not set up yet');
      return entry;
    },
    track(p) {
      pipelines.push(p);
      return p;
    },
  };
}
