import type { Logger } from '../../common/logger';
import { sleep } from '../../common/retry';
import { flushReason, FlushLimits, FlushReason } from './flushPolicy';
import type { BufferedRecord, RecordBuffer } from './recordBuffer';

export interface FlushSchedulerDeps {
  buffer: RecordBuffer;
  limits: FlushLimits;
  /** Bulk requests with OpenSearch at once. */
  maxInFlight: number;
  /**
   * Takes one flush to completion. `release` frees its bulk slot as soon as OpenSearch is done with
   * it, so the next bulk request overlaps the flush's Kafka sends.
   */
  runFlush(taken: BufferedRecord[], reason: FlushReason, release: () => void): Promise<void>;
  /** A flush ended (either way) and its records left the in-flight count. */
  onSettled(): void;
  logger: Logger;
  now: () => number;
}

/**
 * Decides when the buffer goes to OpenSearch: whenever a bulk slot is free and a flush limit (size,
 * count, age; or draining) is reached, and on a timer for the age limit. Owns the flights in progress
 * and what they hold.
 */
export function createFlushScheduler(deps: FlushSchedulerDeps) {
  const { buffer, limits, logger } = deps;
  const flights = new Set<Promise<void>>();
  let slotsInUse = 0;
  let inFlightBytes = 0;
  let inFlightItems = 0;
  let timer: NodeJS.Timeout | null = null;
  let draining = false;
  let stopped = false;

  function start(reason: FlushReason): void {
    const { taken, bytes } = buffer.take(limits);
    if (taken.length === 0) return;
    inFlightBytes += bytes;
    inFlightItems += taken.length;
    slotsInUse++;
    let holdsSlot = true;
    const release = () => {
      if (!holdsSlot) return;
      holdsSlot = false;
      slotsInUse--;
      pump();
    };
    const flight = deps.runFlush(taken, reason, release).finally(() => {
      inFlightBytes -= bytes;
      inFlightItems -= taken.length;
      flights.delete(flight);
      deps.onSettled();
      if (holdsSlot) release();
      else pump();
    });
    flights.add(flight);
  }

  /** Starts flushes while there is a free slot and a reason; otherwise arms the age timer. */
  function pump(): void {
    if (stopped) return;
    while (slotsInUse < deps.maxInFlight) {
      const oldest = buffer.oldestAt();
      const shape = {
        bytes: buffer.bytes,
        items: buffer.items,
        oldestAgeMs: oldest === null ? 0 : deps.now() - oldest,
      };
      const reason = flushReason(shape, limits, draining);
      if (!reason) break;
      start(reason);
    }
    const oldest = buffer.oldestAt();
    if (oldest !== null && !timer) {
      timer = setTimeout(
        () => {
          timer = null;
          pump();
        },
        Math.max(1, oldest + limits.intervalMs - deps.now()),
      );
    }
  }

  return {
    pump,
    /** Flushes everything buffered, waiting at most `drainMs`; what is still unfinished then is abandoned. */
    async drain(drainMs: number, aborted: () => boolean): Promise<void> {
      draining = true;
      const deadline = new AbortController();
      const timedOut = sleep(drainMs, deadline.signal).then(
        () => true,
        () => true,
      );
      try {
        while (!aborted() && (buffer.items > 0 || flights.size > 0)) {
          pump();
          if (flights.size === 0) break;
          if (await Promise.race([Promise.race(flights).then(() => false), timedOut])) {
            logger.warn(
              { buffered: buffer.items, inFlight: inFlightItems },
              'drain timed out; abandoning the rest',
            );
            break;
          }
        }
      } finally {
        deadline.abort();
      }
    },
    /** Starts nothing more; resolves once every flight has ended (they end once the task aborts them). */
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      await Promise.allSettled([...flights]);
    },
    inFlight: () => ({ bytes: inFlightBytes, items: inFlightItems }),
  };
}

export type FlushScheduler = ReturnType<typeof createFlushScheduler>;
