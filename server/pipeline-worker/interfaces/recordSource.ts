import type { SourceRecord, TopicPartition } from '../../common/records';

/** One fetched batch of a partition. */
export interface SourceBatch {
  topic: string;
  partition: number;
  /** Offset of the last record of the fetched batch (may be a control record not in `records`). */
  lastOffset: string;
  highWatermark: string;
  records: SourceRecord[];
}

/** What the consumer calls back into the task. */
export interface SourceHandlers {
  /**
   * Offers a batch; returns how many records from its start were taken. The source treats those as
   * consumed (the next fetch starts after them) and fetches the rest again later.
   */
  onBatch(batch: SourceBatch): number;
  /** The group gave this member a new assignment. */
  onAssigned(partitions: TopicPartition[]): void;
  /** The consumer crashed; with `restart` false it will not come back by itself. */
  onCrash(error: Error, restart: boolean): void;
}

/** The pipeline's input topic, read as a member of the pipeline's consumer group. */
export interface RecordSource {
  /** Connects, joins the group and starts delivering batches. */
  start(handlers: SourceHandlers): Promise<void>;
  /**
   * Stops (true) or resumes (false) fetching from every partition of the topic. The setting survives
   * rebalances and consumer restarts.
   */
  setPaused(paused: boolean): void;
  /** Commits `offset` (the next offset to read) for each partition. */
  commit(offsets: Array<TopicPartition & { offset: number }>): Promise<void>;
  /** Stops fetching, leaves the group, disconnects. Idempotent. */
  stop(): Promise<void>;
}
