import { describeError } from '../../common/errors';
import type { Logger } from '../../common/logger';
import type { Pipeline } from '../../common/pipelines';
import type { Replay } from '../../common/replays';
import type { ReplayStore } from '../interfaces/replayStore';
import type { ReplayRun, ReplayRunView } from './replayRunner';

export interface ReplaySupervisorOptions {
  /** How often a worker with room looks for a replay to claim (ms). */
  pollIntervalMs: number;
  /** A claim whose heartbeat is older than this is taken over (ms). */
  staleMs: number;
  /** Replays one worker performs at once (one: replays must not starve live traffic). */
  maxConcurrent: number;
  /** A replay taken over more often than this after its worker stopped heartbeating is marked failed. */
  maxClaims: number;
}

export interface ReplaySupervisorDeps {
  workerId: string;
  store: ReplayStore;
  /** The pipeline as it is now (null: deleted). */
  pipelineOf(id: string): Promise<Pipeline | null>;
  /** Starts performing a claimed replay (throws when the pipeline's processing does not compile). */
  startRun(replay: Replay, pipeline: Pipeline): ReplayRun;
  logger: Logger;
  options: ReplaySupervisorOptions;
}

export interface ReplaySupervisor {
  start(): void;
  /** Stops every run at its next batch and gives the claims back. Idempotent. */
  stop(): Promise<void>;
  /** One look for a replay to claim (also run by the timer); exposed for tests. */
  poll(): Promise<void>;
  /** The replays this worker performs now. */
  runs(): ReplayRunView[];
}

/**
 * Who performs replays: every worker looks for a running replay nobody holds (or whose holder went
 * silent) every poll, claims it atomically in MariaDB and performs it as a task of its own beside
 * the pipeline tasks, at most `maxConcurrent` at a time. A replay that cannot be performed (its
 * pipeline is gone, its processing does not compile, it was taken over too often) is ended as
 * `failed` with the reason, never left running.
 */
export function createReplaySupervisor(deps: ReplaySupervisorDeps): ReplaySupervisor {
  const { store, logger, options } = deps;
  const runs = new Map<string, ReplayRun>();
  let timer: NodeJS.Timeout | null = null;
  let polling: Promise<void> | null = null;
  let stopping = false;

  async function fail(replay: Replay, reason: string): Promise<void> {
    logger.warn({ replayId: replay.id, pipelineId: replay.pipelineId, reason }, 'replay failed');
    await store.finish(replay.id, deps.workerId, { status: 'failed', reason });
  }

  async function pollOnce(): Promise<void> {
    if (stopping || runs.size >= options.maxConcurrent) return;
    const replay = await store.claim(deps.workerId, options.staleMs);
    if (!replay) return;
    const log = { replayId: replay.id, pipelineId: replay.pipelineId, claims: replay.claims };
    if (replay.claims > options.maxClaims)
      return fail(
        replay,
        `its worker stopped without finishing it ${replay.claims - 1} times; giving up (last positions kept)`,
      );
    const pipeline = await deps.pipelineOf(replay.pipelineId);
    if (!pipeline) return fail(replay, 'the pipeline was deleted');
    let run: ReplayRun;
    try {
      run = deps.startRun(replay, pipeline);
    } catch (e) {
      return fail(replay, `cannot prepare records: ${describeError(e)}`);
    }
    logger.info({ ...log, resumed: Object.keys(replay.positions).length > 0 }, 'replay claimed');
    runs.set(replay.id, run);
    void run.done.then((end) => {
      runs.delete(replay.id);
      const counters = run.view().counters;
      if (end.kind === 'failed') logger.warn({ ...log, reason: end.reason, ...counters }, 'replay failed');
      else logger.info({ ...log, end: end.kind, ...counters }, 'replay ended');
      // Room again: look for the next one now rather than at the next tick.
      if (!stopping) void poll();
    });
  }

  function poll(): Promise<void> {
    return (polling ??= pollOnce()
      .catch((e: unknown) => logger.warn({ err: e }, 'could not look for replays'))
      .finally(() => {
        polling = null;
      }));
  }

  let stopped: Promise<void> | null = null;
  return {
    start() {
      timer = setInterval(() => void poll(), options.pollIntervalMs);
      void poll();
    },
    poll,
    stop() {
      return (stopped ??= (async () => {
        stopping = true;
        if (timer) clearInterval(timer);
        await polling;
        await Promise.allSettled([...runs.values()].map((r) => r.stop()));
      })());
    },
    runs: () => [...runs.values()].map((r) => r.view()),
  };
}
