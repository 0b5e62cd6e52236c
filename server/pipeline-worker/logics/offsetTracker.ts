import { TopicPartition, tpKey } from '../../common/records';

/**
 * Pure bookkeeping of which offsets are finished, per partition, so that a commit never passes an
 * unfinished record.
 *
 * A record is `track`ed when the task accepts it and `complete`d once it is durably indexed or written
 * to the error topic, in any order. The commit point of a partition is one past the highest offset
 * below which every tracked record is complete (the contiguous prefix): offsets never delivered
 * (transaction markers, compacted gaps) do not hold it back, and `fetchedThrough` lets it move over a
 * batch's trailing control records. Offsets at or below the highest already tracked are reported as
 * duplicates: after a rebalance kafkajs fetches again from the committed offset, and the copy we
 * still hold (buffered, in flight or done) stands for them.
 *
 * Each partition's state carries a generation token; `revoke` starts a new one, so late completions
 * of records from a lost assignment cannot mark a later assignment's records done.
 */
export interface OffsetCommit extends TopicPartition {
  /** The offset to commit: the next one to read. */
  offset: number;
}

export type Generation = object;

interface PartitionState {
  topic: string;
  partition: number;
  generation: Generation;
  /** Tracked offsets in arrival (= increasing) order, from `head` on still held. */
  offsets: number[];
  done: boolean[];
  head: number;
  /** One past the highest tracked offset; offsets below it are duplicates. */
  nextExpected: number;
  /** One past the end of the contiguous completed prefix; null until something completes. */
  committable: number | null;
  /** The last offset committed (as far as we know). */
  committed: number | null;
}

const COMPACT_AT = 4096;

export class OffsetTracker {
  private readonly parts = new Map<string, PartitionState>();

  private state(topic: string, partition: number): PartitionState {
    const key = tpKey(topic, partition);
    let s = this.parts.get(key);
    if (!s) {
      s = {
        topic,
        partition,
        generation: {},
        offsets: [],
        done: [],
        head: 0,
        nextExpected: -1,
        committable: null,
        committed: null,
      };
      this.parts.set(key, s);
    }
    return s;
  }

  /** The generation a record of this partition belongs to; pass it back to `complete`. */
  generation(topic: string, partition: number): Generation {
    return this.state(topic, partition).generation;
  }

  /** Whether a delivered offset is new (not at or below one already tracked). */
  isNew(topic: string, partition: number, offset: number): boolean {
    const s = this.parts.get(tpKey(topic, partition));
    return !s || offset >= s.nextExpected;
  }

  /** Registers a delivered record. Returns false (and tracks nothing) for a duplicate delivery. */
  track(topic: string, partition: number, offset: number): boolean {
    const s = this.state(topic, partition);
    if (offset < s.nextExpected) return false;
    s.offsets.push(offset);
    s.done.push(false);
    s.nextExpected = offset + 1;
    return true;
  }

  /**
   * Every record of a fetched batch up to `lastOffset` was accepted: offsets up to it that were never
   * delivered (control records) must not hold the commit back.
   */
  fetchedThrough(topic: string, partition: number, lastOffset: number): void {
    const s = this.state(topic, partition);
    if (lastOffset < s.nextExpected) return;
    s.offsets.push(lastOffset);
    s.done.push(true);
    s.nextExpected = lastOffset + 1;
    this.advance(s);
  }

  /** Marks a record finished. Ignores records of another generation or not tracked. */
  complete(topic: string, partition: number, offset: number, generation: Generation): void {
    const s = this.parts.get(tpKey(topic, partition));
    if (!s || s.generation !== generation) return;
    const i = this.find(s, offset);
    if (i < 0) return;
    s.done[i] = true;
    if (i === s.head) this.advance(s);
  }

  private find(s: PartitionState, offset: number): number {
    let lo = s.head;
    let hi = s.offsets.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = s.offsets[mid]!;
      if (v === offset) return mid;
      if (v < offset) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  private advance(s: PartitionState): void {
    while (s.head < s.offsets.length && s.done[s.head]) {
      s.committable = s.offsets[s.head]! + 1;
      s.head++;
    }
    if (s.head >= COMPACT_AT && s.head * 2 >= s.offsets.length) {
      s.offsets = s.offsets.slice(s.head);
      s.done = s.done.slice(s.head);
      s.head = 0;
    }
  }

  /** Partitions whose commit point moved past what was last committed. */
  commitCandidates(only?: (topic: string, partition: number) => boolean): OffsetCommit[] {
    const out: OffsetCommit[] = [];
    for (const s of this.parts.values()) {
      if (s.committable === null || s.committable === s.committed) continue;
      if (only && !only(s.topic, s.partition)) continue;
      out.push({ topic: s.topic, partition: s.partition, offset: s.committable });
    }
    return out;
  }

  /** Records that `commits` reached Kafka. */
  markCommitted(commits: OffsetCommit[]): void {
    for (const c of commits) {
      const s = this.parts.get(tpKey(c.topic, c.partition));
      if (s && (s.committed === null || c.offset > s.committed)) s.committed = c.offset;
    }
  }

  /**
   * Forgets what was committed, so the next commit sends every partition's point again (after a
   * rejoin: a commit kafkajs dropped while its consumer restarted is made good).
   */
  forgetCommitted(): void {
    for (const s of this.parts.values()) s.committed = null;
  }

  /** Forgets a partition (lost in a rebalance); a later assignment starts a new generation. */
  revoke(topic: string, partition: number): void {
    this.parts.delete(tpKey(topic, partition));
  }

  /** Records tracked but not yet complete, over all partitions. */
  pendingCount(): number {
    let n = 0;
    for (const s of this.parts.values()) {
      for (let i = s.head; i < s.offsets.length; i++) if (!s.done[i]) n++;
    }
    return n;
  }

  /** The current commit point of one partition (one past the contiguous completed prefix). */
  committableOffset(topic: string, partition: number): number | null {
    return this.parts.get(tpKey(topic, partition))?.committable ?? null;
  }

  committedOffset(topic: string, partition: number): number | null {
    return this.parts.get(tpKey(topic, partition))?.committed ?? null;
  }
}
