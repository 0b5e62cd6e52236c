/**
 * The pace of a replay: `ratePerSec` records a second on average, with no burst beyond one chunk.
 * `delayBefore(n)` says how long to wait before taking the next `n` records (pure but for the
 * clock, which is given).
 */
export function createPacer(ratePerSec: number, now: () => number = () => performance.now()) {
  const msPerRecord = 1000 / Math.max(ratePerSec, 1e-6);
  let next = now();
  return {
    delayBefore(n: number): number {
      const t = now();
      const wait = Math.max(0, next - t);
      next = Math.max(next, t) + n * msPerRecord;
      return wait;
    },
  };
}

/** Records per chunk of a replay: about a second's worth at its rate, at most `max`. */
export function chunkSizeFor(ratePerSec: number, max: number): number {
  return Math.max(1, Math.min(max, Math.floor(ratePerSec)));
}
