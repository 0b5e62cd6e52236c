import type { ParsedRecord } from '../../common/records';
import { FlushLimits, takeCount } from './flushPolicy';
import type { Generation } from './offsetTracker';

export interface BufferedRecord {
  record: ParsedRecord;
  generation: Generation;
  /** When it was accepted (ms). */
  at: number;
}

/** The records a task accepted and has not yet handed to a flush, oldest first. */
export class RecordBuffer {
  private entries: BufferedRecord[] = [];
  private head = 0;
  private byteCount = 0;

  get items(): number {
    return this.entries.length - this.head;
  }

  get bytes(): number {
    return this.byteCount;
  }

  /** Acceptance time of the oldest record, or null when empty. */
  oldestAt(): number | null {
    return this.items > 0 ? this.entries[this.head]!.at : null;
  }

  push(entry: BufferedRecord): void {
    this.entries.push(entry);
    this.byteCount += entry.record.bytes;
  }

  /** Removes and returns the head records that make up one bulk request under `limits`. */
  take(limits: FlushLimits): { taken: BufferedRecord[]; bytes: number } {
    const n = takeCount(this.items, (i) => this.entries[this.head + i]!.record.bytes, limits);
    const taken = this.entries.slice(this.head, this.head + n);
    this.head += n;
    let bytes = 0;
    for (const e of taken) bytes += e.record.bytes;
    this.byteCount -= bytes;
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
    return { taken, bytes };
  }

  /** Drops the records of a partition this member no longer owns; returns how many. */
  dropPartition(topic: string, partition: number): number {
    const before = this.items;
    const kept = this.entries
      .slice(this.head)
      .filter((e) => e.record.origin.topic !== topic || e.record.origin.partition !== partition);
    this.entries = kept;
    this.head = 0;
    this.byteCount = kept.reduce((s, e) => s + e.record.bytes, 0);
    return before - kept.length;
  }

  clear(): void {
    this.entries = [];
    this.head = 0;
    this.byteCount = 0;
  }
}
