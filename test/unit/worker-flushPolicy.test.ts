import { testConfig } from '../helpers';
import {
  bufferBounds,
  flushReason,
  resolveFlushLimits,
  takeCount,
} from '../../server/pipeline-worker/logics/flushPolicy';

const MIB = 1024 * 1024;
const limits = { maxBytes: 1000, maxItems: 10, intervalMs: 3000 };

describe('flush policy', () => {
  it('uses the pipeline overrides, else the server defaults', () => {
    const server = testConfig().server;
    expect(resolveFlushLimits({ flush: { mib: null, items: null, intervalSec: null } }, server)).toEqual({
      maxBytes: server.flushMiB * MIB,
      maxItems: server.flushItems,
      intervalMs: server.flushIntervalSec * 1000,
    });
    expect(resolveFlushLimits({ flush: { mib: 0.5, items: 7, intervalSec: 0.25 } }, server)).toEqual({
      maxBytes: MIB / 2,
      maxItems: 7,
      intervalMs: 250,
    });
  });

  it('flushes at whichever of size, count and interval comes first', () => {
    expect(flushReason({ bytes: 0, items: 0, oldestAgeMs: 99_999 }, limits)).toBeNull();
    expect(flushReason({ bytes: 999, items: 9, oldestAgeMs: 2999 }, limits)).toBeNull();
    expect(flushReason({ bytes: 1000, items: 1, oldestAgeMs: 0 }, limits)).toBe('bytes');
    expect(flushReason({ bytes: 10, items: 10, oldestAgeMs: 0 }, limits)).toBe('items');
    expect(flushReason({ bytes: 10, items: 1, oldestAgeMs: 3000 }, limits)).toBe('interval');
    expect(flushReason({ bytes: 10, items: 1, oldestAgeMs: 0 }, limits, true)).toBe('drain');
  });

  it('takes at most maxItems and maxBytes per request, but always at least one record', () => {
    const sizes = [400, 400, 400, 400];
    expect(takeCount(sizes.length, (i) => sizes[i]!, limits)).toBe(2);
    const many = Array.from({ length: 25 }, () => 1);
    expect(takeCount(many.length, (i) => many[i]!, limits)).toBe(10);
    const huge = [5000, 1];
    expect(takeCount(huge.length, (i) => huge[i]!, limits)).toBe(1);
    expect(takeCount(0, () => 1, limits)).toBe(0);
  });

  it('bounds the buffer at a few requests, resuming while a full request is still buffered', () => {
    const b = bufferBounds({ maxBytes: 5 * MIB, maxItems: 10_000, intervalMs: 3000 }, 2);
    expect(b).toEqual({ highBytes: 25 * MIB, lowBytes: 15 * MIB, highItems: 50_000, lowItems: 30_000 });
    // At resume, with two requests in flight, one full request is still waiting in the buffer.
    expect(b.lowBytes - 2 * 5 * MIB).toBeGreaterThanOrEqual(5 * MIB);
    const small = bufferBounds({ maxBytes: 1000, maxItems: 10, intervalMs: 1 }, 1);
    expect(small.highBytes).toBe(8 * MIB); // never below a few MiB
    expect(small.lowBytes).toBe(6 * MIB); // no pause/resume flapping on tiny requests
    expect(small).toMatchObject({ highItems: 1000, lowItems: 750 });
  });
});
