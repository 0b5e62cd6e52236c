import type {
  BulkAction,
  BulkIndexer,
  BulkItemResult,
} from '../../server/pipeline-worker/interfaces/bulkIndexer';
import type { SourceRecord, TopicPartition } from '../../server/common/records';
import type { RecordSink } from '../../server/pipeline-worker/interfaces/recordSink';
import type {
  RecordSource,
  SourceBatch,
  SourceHandlers,
} from '../../server/pipeline-worker/interfaces/recordSource';
import type { OutgoingMessage } from '../../server/pipeline-worker/interfaces/recordSink';
import { AbortedError } from '../../server/common/retry';

/** Decides the outcome of one bulk call: per-action statuses, or throw for a request failure. */
export type BulkScript = (
  actions: BulkAction[],
  call: number,
) =>
  | Array<{ status: number; error?: { type: string; reason: string } }>
  | Promise<Array<{ status: number; error?: { type: string; reason: string } }>>;

/** A bulk indexer whose answers a test scripts; records every request. */
export class FakeIndexer implements BulkIndexer {
  readonly calls: BulkAction[][] = [];
  constructor(public script: BulkScript = (a) => a.map(() => ({ status: 201 }))) {}

  async bulk<A extends BulkAction>(actions: A[], signal?: AbortSignal): Promise<BulkItemResult<A>[]> {
    if (signal?.aborted) throw new AbortedError();
    this.calls.push([...actions]);
    const abort = new Promise<never>((_, reject) =>
      signal?.addEventListener('abort', () => reject(new AbortedError()), { once: true }),
    );
    abort.catch(() => undefined); // handled by the race, or moot once the script answered
    const out = await Promise.race([Promise.resolve(this.script(actions, this.calls.length)), abort]);
    return actions.map((action, i) => ({ action, status: out[i]!.status, error: out[i]!.error }));
  }

  /** Every document id indexed successfully is unknown here; tests count requests and their sizes. */
  get requestSizes(): number[] {
    return this.calls.map((c) => c.length);
  }
}

/** A sink that records what it was sent; `failNext` makes the next sends throw. */
export class FakeSink implements RecordSink {
  readonly sent: OutgoingMessage[] = [];
  failNext = 0;
  failWith: () => Error = () => new Error('broker unavailable');
  closed = false;

  async send(messages: OutgoingMessage[]): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      throw this.failWith();
    }
    this.sent.push(...messages);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

/** A consumer the test drives: offer batches, watch pauses and commits. */
export class FakeSource implements RecordSource {
  handlers: SourceHandlers | null = null;
  paused = false;
  pauseChanges: boolean[] = [];
  readonly commits: Array<TopicPartition & { offset: number }> = [];
  stopped = false;
  startError: Error | null = null;
  commitError: Error | null = null;

  async start(handlers: SourceHandlers): Promise<void> {
    if (this.startError) throw this.startError;
    this.handlers = handlers;
  }
  setPaused(p: boolean): void {
    this.paused = p;
    this.pauseChanges.push(p);
  }
  async commit(offsets: Array<TopicPartition & { offset: number }>): Promise<void> {
    if (this.commitError) throw this.commitError;
    this.commits.push(...offsets);
  }
  async stop(): Promise<void> {
    this.stopped = true;
  }

  assign(topic: string, partitions: number[]): void {
    this.handlers!.onAssigned(partitions.map((partition) => ({ topic, partition })));
  }

  /** Offers records with the given values at consecutive offsets; returns how many were taken. */
  offer(
    topic: string,
    partition: number,
    firstOffset: number,
    values: Array<string | Buffer | null>,
  ): number {
    const records: SourceRecord[] = values.map((v, i) => ({
      topic,
      partition,
      offset: String(firstOffset + i),
      timestamp: '1700000000000',
      key: null,
      value: v === null ? null : Buffer.isBuffer(v) ? v : Buffer.from(v),
    }));
    const batch: SourceBatch = {
      topic,
      partition,
      lastOffset: String(firstOffset + values.length - 1),
      highWatermark: String(firstOffset + values.length),
      records,
    };
    return this.handlers!.onBatch(batch);
  }

  /** The last committed offset per partition. */
  committed(partition: number): number | undefined {
    const mine = this.commits.filter((c) => c.partition === partition);
    return mine.length ? mine[mine.length - 1]!.offset : undefined;
  }
}

/** A promise with its resolve function, for holding a fake request open. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
