import { OffsetTracker } from '../../server/pipeline-worker/logics/offsetTracker';

const T = 'topic';

function trackAll(t: OffsetTracker, partition: number, offsets: number[]) {
  for (const o of offsets) expect(t.track(T, partition, o)).toBe(true);
  return t.generation(T, partition);
}

describe('OffsetTracker', () => {
  it('commits only the contiguous prefix when records complete out of order', () => {
    const t = new OffsetTracker();
    const g = trackAll(t, 0, [10, 11, 12, 13, 14]);
    expect(t.commitCandidates()).toEqual([]);
    t.complete(T, 0, 12, g);
    t.complete(T, 0, 14, g);
    expect(t.commitCandidates()).toEqual([]); // 10 and 11 unfinished
    t.complete(T, 0, 10, g);
    expect(t.commitCandidates()).toEqual([{ topic: T, partition: 0, offset: 11 }]);
    t.complete(T, 0, 11, g);
    expect(t.commitCandidates()).toEqual([{ topic: T, partition: 0, offset: 13 }]); // 13 still open
    t.complete(T, 0, 13, g);
    expect(t.commitCandidates()).toEqual([{ topic: T, partition: 0, offset: 15 }]);
  });

  it('keeps partitions apart and reports only what moved since the last commit', () => {
    const t = new OffsetTracker();
    const g0 = trackAll(t, 0, [0, 1]);
    const g1 = trackAll(t, 1, [5, 6]);
    t.complete(T, 0, 0, g0);
    t.complete(T, 1, 5, g1);
    t.complete(T, 1, 6, g1);
    const c = t.commitCandidates();
    expect(c).toEqual([
      { topic: T, partition: 0, offset: 1 },
      { topic: T, partition: 1, offset: 7 },
    ]);
    t.markCommitted(c);
    expect(t.commitCandidates()).toEqual([]);
    t.complete(T, 0, 1, g0);
    expect(t.commitCandidates()).toEqual([{ topic: T, partition: 0, offset: 2 }]);
  });

  it('is not held back by offsets never delivered (gaps, trailing control records)', () => {
    const t = new OffsetTracker();
    const g = trackAll(t, 0, [3, 7, 8]); // 4-6 compacted away
    t.fetchedThrough(T, 0, 9); // offset 9 was a transaction marker
    t.complete(T, 0, 7, g);
    t.complete(T, 0, 8, g);
    expect(t.commitCandidates()).toEqual([]);
    t.complete(T, 0, 3, g);
    expect(t.commitCandidates()).toEqual([{ topic: T, partition: 0, offset: 10 }]);
  });

  it('treats redelivered offsets (fetch restarted from the committed offset) as duplicates', () => {
    const t = new OffsetTracker();
    const g = trackAll(t, 0, [0, 1, 2, 3]);
    t.complete(T, 0, 0, g);
    expect(t.track(T, 0, 1)).toBe(false);
    expect(t.track(T, 0, 3)).toBe(false);
    expect([t.isNew(T, 0, 3), t.isNew(T, 0, 4), t.isNew(T, 9, 0)]).toEqual([false, true, true]);
    expect(t.track(T, 0, 4)).toBe(true);
    expect(t.pendingCount()).toBe(4);
  });

  it('ignores completions from a revoked assignment after the partition comes back', () => {
    const t = new OffsetTracker();
    const old = trackAll(t, 0, [0, 1, 2]);
    t.revoke(T, 0);
    const fresh = trackAll(t, 0, [0, 1, 2]); // fetched again from the committed offset
    expect(fresh).not.toBe(old);
    t.complete(T, 0, 0, old);
    t.complete(T, 0, 1, old);
    expect(t.commitCandidates()).toEqual([]);
    t.complete(T, 0, 0, fresh);
    expect(t.commitCandidates()).toEqual([{ topic: T, partition: 0, offset: 1 }]);
  });

  it('filters candidates (only the current assignment) and never goes backwards on markCommitted', () => {
    const t = new OffsetTracker();
    const g0 = trackAll(t, 0, [0]);
    const g1 = trackAll(t, 1, [0]);
    t.complete(T, 0, 0, g0);
    t.complete(T, 1, 0, g1);
    expect(t.commitCandidates((_topic, p) => p === 1)).toEqual([{ topic: T, partition: 1, offset: 1 }]);
    t.markCommitted([{ topic: T, partition: 1, offset: 1 }]);
    t.markCommitted([{ topic: T, partition: 1, offset: 0 }]);
    expect(t.committedOffset(T, 1)).toBe(1);
    expect(t.commitCandidates((_topic, p) => p === 1)).toEqual([]);
    t.forgetCommitted(); // after a rejoin every point is committed again
    expect(t.commitCandidates((_topic, p) => p === 1)).toEqual([{ topic: T, partition: 1, offset: 1 }]);
  });

  it('handles long streams with random completion order (compaction keeps it correct)', () => {
    const t = new OffsetTracker();
    const n = 20_000;
    const offsets = Array.from({ length: n }, (_, i) => i * 2); // every other offset
    const g = trackAll(t, 0, offsets);
    let seed = 42;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const order = [...offsets].sort(() => rnd() - 0.5);
    const done = new Set<number>();
    for (const o of order) {
      t.complete(T, 0, o, g);
      done.add(o);
      if (o % 997 !== 0) continue;
      // The commit point never passes an unfinished record, and covers every finished prefix.
      let expected: number | null = null;
      for (const x of offsets) {
        if (!done.has(x)) break;
        expected = x + 1;
      }
      expect(t.committableOffset(T, 0)).toBe(expected);
    }
    expect(t.committableOffset(T, 0)).toBe(offsets[n - 1]! + 1);
    expect(t.pendingCount()).toBe(0);
  });
});
