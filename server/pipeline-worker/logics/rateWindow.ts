/** One status sample of a task: cumulative counters and the lag per partition, at a time (ms). */
export interface Sample {
  at: number;
  indexed: number;
  failed: number;
  /** Lag per partition; null when it was not read. */
  lag: ReadonlyMap<number, number> | null;
}

export interface WindowRates {
  /** Records indexed per second over the window. */
  indexedPerSec: number;
  /** Records sent to the error topic per second over the window. */
  failedPerSec: number;
  /**
   * Change of the lag per minute over the window, summed over the partitions read at both ends;
   * null without two lag readings far enough apart.
   */
  lagGrowthPerMin: number | null;
}

/** The shortest span a lag trend is computed over (ms): shorter ones are noise of single fetches. */
export const MIN_TREND_SPAN_MS = 10_000;

const round1 = (n: number) => Math.round(n * 10) / 10;

/**
 * A sliding window of samples (default one minute): rates over the window rather than since start or
 * since the last report, so a burst or a stall shows for a minute and then fades.
 */
export class RateWindow {
  private samples: Sample[] = [];

  constructor(private readonly spanMs = 60_000) {}

  /** Adds a sample (counters never decrease) and returns the rates over the window ending with it. */
  add(s: Sample): WindowRates {
    // Keep the newest sample at least `spanMs` old as the window's start.
    while (this.samples.length > 1 && this.samples[1]!.at <= s.at - this.spanMs) this.samples.shift();
    const first = this.samples[0];
    this.samples.push(s);
    if (!first || s.at <= first.at) return { indexedPerSec: 0, failedPerSec: 0, lagGrowthPerMin: null };
    const sec = (s.at - first.at) / 1000;
    return {
      indexedPerSec: round1(Math.max(0, s.indexed - first.indexed) / sec),
      failedPerSec: round1(Math.max(0, s.failed - first.failed) / sec),
      lagGrowthPerMin: this.lagGrowth(s),
    };
  }

  private lagGrowth(s: Sample): number | null {
    if (!s.lag) return null;
    const then = this.samples.find((x) => x.lag !== null && s.at - x.at >= MIN_TREND_SPAN_MS);
    if (!then?.lag) return null;
    let delta = 0;
    let common = 0;
    for (const [partition, lag] of s.lag) {
      const before = then.lag.get(partition);
      if (before === undefined) continue;
      delta += lag - before;
      common++;
    }
    if (common === 0) return null;
    return round1((delta * 60_000) / (s.at - then.at));
  }
}
