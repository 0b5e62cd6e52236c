import type { Logger } from '../../common/logger';
import type { SourceBatch } from '../interfaces/recordSource';
import type { BufferBounds } from './flushPolicy';
import type { OffsetTracker } from './offsetTracker';
import type { Prepare } from '../../common/prepare/preparation';
import type { RecordBuffer } from './recordBuffer';

/** Why fetching is paused: memory is full, the task backs off after a failure, or it no longer takes records. */
export type PauseReason = 'full' | 'backoff' | 'closed';

export interface IntakeDeps {
  tracker: OffsetTracker;
  buffer: RecordBuffer;
  bounds: BufferBounds;
  prepare: Prepare;
  /** Pauses (true) or resumes (false) fetching from Kafka. */
  setFetchPaused(paused: boolean): void;
  /** What the flushes in progress hold: counts against the bounds with the buffer. */
  inFlight(): { bytes: number; items: number };
  /** Records were taken into the buffer. */
  onTaken(): void;
  /** Metrics: records taken for the first time (re-deliveries after a rebalance not counted). */
  onConsumed?(records: number): void;
  logger: Logger;
  now: () => number;
}

/**
 * Batches from Kafka into the buffer: each new record prepared, tracked and buffered; fetching paused
 * while any reason holds (memory full, backing off, closed) and resumed once none does.
 */
export function createIntake(deps: IntakeDeps) {
  const { tracker, buffer, bounds } = deps;
  const reasons = new Set<PauseReason>();
  let fetchPaused = false;

  const held = () => {
    const f = deps.inFlight();
    return { bytes: buffer.bytes + f.bytes, items: buffer.items + f.items };
  };
  const isFull = () => {
    const h = held();
    return h.bytes >= bounds.highBytes || h.items >= bounds.highItems;
  };
  const isLow = () => {
    const h = held();
    return h.bytes <= bounds.lowBytes && h.items <= bounds.lowItems;
  };

  function apply(): void {
    const paused = reasons.size > 0;
    if (paused === fetchPaused) return;
    fetchPaused = paused;
    deps.logger.debug(
      { paused, reasons: [...reasons], buffered: buffer.items },
      'fetching paused state changed',
    );
    deps.setFetchPaused(paused);
  }

  function hold(reason: PauseReason, on: boolean): void {
    if (on) reasons.add(reason);
    else reasons.delete(reason);
    apply();
  }

  return {
    /** Takes records from the start of the batch while there is room; returns how many. */
    onBatch(batch: SourceBatch): number {
      if (reasons.has('closed')) return 0;
      const { topic, partition } = batch;
      let taken = 0;
      let fresh = 0;
      for (const r of batch.records) {
        if (isFull()) break;
        const offset = Number(r.offset);
        if (tracker.isNew(topic, partition, offset)) {
          // Prepare first: a record is tracked only together with its place in the buffer.
          const record = deps.prepare(r);
          tracker.track(topic, partition, offset);
          buffer.push({ record, generation: tracker.generation(topic, partition), at: deps.now() });
          fresh++;
        }
        taken++;
      }
      if (fresh > 0) deps.onConsumed?.(fresh);
      if (taken === batch.records.length) tracker.fetchedThrough(topic, partition, Number(batch.lastOffset));
      if (isFull()) hold('full', true);
      deps.onTaken();
      return taken;
    },
    hold,
    /** Re-checks memory after records left the buffer or the flights: resumes once below the low mark. */
    refresh(): void {
      if (reasons.has('full') && isLow()) hold('full', false);
    },
    get paused(): boolean {
      return fetchPaused;
    },
    /** Held records over the level at which fetching pauses (1 = full), by bytes or count. */
    fill(): number {
      const h = held();
      return Math.max(h.bytes / bounds.highBytes, h.items / bounds.highItems);
    },
  };
}

export type Intake = ReturnType<typeof createIntake>;
