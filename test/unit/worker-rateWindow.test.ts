import { RateWindow } from '../../server/pipeline-worker/logics/rateWindow';

const lag = (entries: Array<[number, number]>) => new Map(entries);

describe('rate window', () => {
  it('reports rates over the last minute, not since start nor since the last sample', () => {
    const w = new RateWindow(60_000);
    expect(w.add({ at: 0, indexed: 0, failed: 0, lag: null })).toEqual({
      indexedPerSec: 0,
      failedPerSec: 0,
      lagGrowthPerMin: null,
    });
    // 100 records/s for the first minute.
    for (let t = 3_000; t <= 60_000; t += 3_000) w.add({ at: t, indexed: t / 10, failed: 0, lag: null });
    // Then nothing for 30 s: half the window still holds the burst.
    let r = w.add({ at: 90_000, indexed: 6_000, failed: 0, lag: null });
    expect(r.indexedPerSec).toBeCloseTo(50, 0);
    // A minute of silence: the rate fades to 0.
    r = w.add({ at: 150_000, indexed: 6_000, failed: 0, lag: null });
    expect(r.indexedPerSec).toBe(0);
  });

  it('counts failed records separately', () => {
    const w = new RateWindow();
    w.add({ at: 0, indexed: 0, failed: 0, lag: null });
    expect(w.add({ at: 10_000, indexed: 100, failed: 20, lag: null })).toMatchObject({
      indexedPerSec: 10,
      failedPerSec: 2,
    });
  });

  it('gives the lag trend per minute over partitions read at both ends, once 10 s apart', () => {
    const w = new RateWindow();
    w.add({
      at: 0,
      indexed: 0,
      failed: 0,
      lag: lag([
        [0, 100],
        [1, 50],
      ]),
    });
    expect(
      w.add({
        at: 5_000,
        indexed: 0,
        failed: 0,
        lag: lag([
          [0, 200],
          [1, 50],
        ]),
      }).lagGrowthPerMin,
    ).toBeNull();
    // +300 on partition 0 over 30 s; partition 2 newly assigned (no earlier reading) is left out.
    const r = w.add({
      at: 30_000,
      indexed: 0,
      failed: 0,
      lag: lag([
        [0, 400],
        [1, 50],
        [2, 999],
      ]),
    });
    expect(r.lagGrowthPerMin).toBe(600);
    // Falling behind less than before: catching up is a negative trend.
    const later = w.add({
      at: 90_000,
      indexed: 0,
      failed: 0,
      lag: lag([
        [0, 0],
        [1, 0],
      ]),
    });
    expect(later.lagGrowthPerMin).toBeLessThan(0);
  });

  it('has no lag trend while the lag cannot be read', () => {
    const w = new RateWindow();
    w.add({ at: 0, indexed: 0, failed: 0, lag: null });
    expect(w.add({ at: 30_000, indexed: 0, failed: 0, lag: lag([[0, 5]]) }).lagGrowthPerMin).toBeNull();
    expect(w.add({ at: 60_000, indexed: 0, failed: 0, lag: null }).lagGrowthPerMin).toBeNull();
  });
});
