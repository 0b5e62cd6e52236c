import type { DryRunReport, PartitionOffsetMap, Replay, ReplayCounters } from '../../common/replays';

/** Where a worker stands with a replay it holds, as the database says. */
export type ReplayStanding =
  /** Still its own and running: go on. */
  | 'mine'
  /** Cancelled (DELETE .../replays/{rid}): stop at once. */
  | 'cancelled'
  /** No longer its own (another worker re-claimed it after a missed heartbeat, or it ended): stop. */
  | 'lost';

/** What a replay has done so far, saved after each batch. */
export interface ReplayProgress {
  positions: PartitionOffsetMap;
  counters: ReplayCounters;
  report: DryRunReport | null;
}

/** The replays table as a worker uses it: claims, heartbeats, progress and the end of a replay. */
export interface ReplayStore {
  /**
   * Takes one running replay that no worker holds, or whose holder's heartbeat is older than
   * `staleMs` (its worker died): atomically, so two workers never both get it. Null when none.
   */
  claim(workerId: string, staleMs: number): Promise<Replay | null>;
  /** Renews the holder's heartbeat. */
  heartbeat(id: string, workerId: string): Promise<ReplayStanding>;
  /** Saves positions and counters (and a dry run's report) with a heartbeat, if the worker still holds it. */
  saveProgress(id: string, workerId: string, progress: ReplayProgress): Promise<ReplayStanding>;
  /**
   * Gives a claim back (the worker is stopping) with its progress, so another worker resumes it at
   * once instead of waiting for the heartbeat to go stale; does not count as a lost claim.
   */
  release(id: string, workerId: string, progress: ReplayProgress): Promise<void>;
  /** Ends a running replay the worker holds: succeeded, or failed with the reason. */
  finish(
    id: string,
    workerId: string,
    end: { status: 'succeeded' | 'failed'; reason?: string; progress?: ReplayProgress },
  ): Promise<ReplayStanding>;
}
