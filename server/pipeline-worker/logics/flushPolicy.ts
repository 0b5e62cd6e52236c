import type { Config } from '../../common/config/schema';
import type { Pipeline } from '../../common/pipelines';

/** When a task sends what it has buffered to OpenSearch: whichever limit is reached first. */
export interface FlushLimits {
  /** Flush at this many bytes of documents. */
  maxBytes: number;
  /** Flush at this many records. */
  maxItems: number;
  /** Flush when the oldest buffered record has waited this long (ms). */
  intervalMs: number;
}

export type FlushReason = 'bytes' | 'items' | 'interval' | 'drain';

export interface BufferShape {
  bytes: number;
  items: number;
  /** Age of the oldest buffered record (ms); 0 when empty. */
  oldestAgeMs: number;
}

const MIB = 1024 * 1024;

/** The pipeline's own settings where it has them (null = server default). */
export function resolveFlushLimits(pipeline: Pick<Pipeline, 'flush'>, server: Config['server']): FlushLimits {
  const mib = pipeline.flush.mib ?? server.flushMiB;
  const items = pipeline.flush.items ?? server.flushItems;
  const sec = pipeline.flush.intervalSec ?? server.flushIntervalSec;
  return {
    maxBytes: Math.max(1, Math.floor(mib * MIB)),
    maxItems: Math.max(1, Math.floor(items)),
    intervalMs: Math.max(1, Math.round(sec * 1000)),
  };
}

/** Why the buffer should be flushed now, or null if it should keep filling. */
export function flushReason(buffer: BufferShape, limits: FlushLimits, draining = false): FlushReason | null {
  if (buffer.items === 0) return null;
  if (buffer.bytes >= limits.maxBytes) return 'bytes';
  if (buffer.items >= limits.maxItems) return 'items';
  if (buffer.oldestAgeMs >= limits.intervalMs) return 'interval';
  if (draining) return 'drain';
  return null;
}

/**
 * How many records from the head of the buffer go into one bulk request: up to `maxItems` and up to
 * `maxBytes` (at least one record, however large, so an oversized record still moves).
 */
export function takeCount(available: number, sizeAt: (i: number) => number, limits: FlushLimits): number {
  let bytes = 0;
  let n = 0;
  while (n < available && n < limits.maxItems) {
    const next = sizeAt(n);
    if (n > 0 && bytes + next > limits.maxBytes) break;
    bytes += next;
    n++;
  }
  return n;
}

/** Buffer bounds of a task: pause fetching at `high`, resume below `low`. */
export interface BufferBounds {
  highBytes: number;
  highItems: number;
  lowBytes: number;
  lowItems: number;
}

/**
 * Memory a task may hold (buffered plus in flight): the requests in flight plus three more, and never
 * less than a few MiB. Fetching resumes once there is room for two more requests (or a quarter of
 * the bound), while at least one full request is still buffered, so OpenSearch never waits for Kafka.
 */
export function bufferBounds(limits: FlushLimits, maxInFlight: number, minBytes = 8 * MIB): BufferBounds {
  const highBytes = Math.max(minBytes, limits.maxBytes * (maxInFlight + 3));
  const highItems = Math.max(1000, limits.maxItems * (maxInFlight + 3));
  return {
    highBytes,
    highItems,
    lowBytes: highBytes - Math.max(2 * limits.maxBytes, Math.floor(highBytes / 4)),
    lowItems: highItems - Math.max(2 * limits.maxItems, Math.floor(highItems / 4)),
  };
}
