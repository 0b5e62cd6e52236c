import { describeError } from '../../common/errors';
import type { Logger } from '../../common/logger';
import type { OffsetCommit, OffsetTracker } from './offsetTracker';

export interface CommitterDeps {
  tracker: OffsetTracker;
  commit(offsets: OffsetCommit[]): Promise<void>;
  /** Only partitions this returns true for are committed (the current assignment). */
  isAssigned(topic: string, partition: number): boolean;
  logger: Logger;
}

/**
 * Commits the tracker's commit points, one commit at a time: requests that arrive while a commit is
 * running are folded into one more commit after it. A failed commit is logged and tried again on
 * the next request (commits are idempotent; a lost one only means records are read again).
 */
export function createCommitter({ tracker, commit, isAssigned, logger }: CommitterDeps) {
  let running: Promise<void> | null = null;
  let again = false;
  let lastError: string | null = null;

  async function once(): Promise<void> {
    const offsets = tracker.commitCandidates(isAssigned);
    if (offsets.length === 0) return;
    try {
      await commit(offsets);
      tracker.markCommitted(offsets);
      lastError = null;
    } catch (e) {
      lastError = describeError(e);
      logger.warn({ err: e, offsets }, 'offset commit failed; will retry');
    }
  }

  function request(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await once();
        } while (again);
      } finally {
        running = null;
      }
    })();
    return running;
  }

  return {
    request,
    /** Waits for a running commit, then commits once more. */
    async flush(): Promise<void> {
      if (running) await running;
      await request();
    },
    lastError: () => lastError,
  };
}

export type Committer = ReturnType<typeof createCommitter>;
