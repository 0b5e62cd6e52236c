/** One partition of a pipeline's input topic, seen from its consumer group. */
export interface PartitionOffsets {
  partition: number;
  /** The group's committed offset (the next record it reads); null when it has committed none. */
  committed: string | null;
  /** The first offset still in the log. */
  logStart: string;
  /** The offset the next record written will get. */
  logEnd: string;
}

/** Where a rewind (or skip) moves a consumer group. */
export type OffsetTarget =
  | { kind: 'earliest' }
  | { kind: 'latest' }
  | { kind: 'timestamp'; at: Date }
  | { kind: 'offsets'; partitions: Array<{ partition: number; offset: string }> };

/** Consumer-group offsets of a topic (Kafka's admin API). */
export interface OffsetAdmin {
  describe(groupId: string, topic: string): Promise<PartitionOffsets[]>;
  /** Each partition's first offset still in the log and the offset the next record will get. */
  logBounds(topic: string): Promise<Array<{ partition: number; logStart: string; logEnd: string }>>;
  /** How many members the group has now (a group with members cannot be moved). */
  activeMembers(groupId: string): Promise<number>;
  /** Sets the group's committed offset of each partition given. */
  commit(
    groupId: string,
    topic: string,
    partitions: Array<{ partition: number; offset: string }>,
  ): Promise<void>;
  /** The offsets of the first records at or after `at`, per partition (the log end where there is none). */
  offsetsAt(topic: string, at: Date): Promise<Array<{ partition: number; offset: string }>>;
}
