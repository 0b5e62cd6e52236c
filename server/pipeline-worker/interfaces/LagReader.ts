import type { TopicPartition } from './records';

/** Reads a consumer group's lag from Kafka. */
export interface LagReader {
  /** Sum over `partitions` of (log end offset - committed offset); null when it cannot be read. */
  lag(groupId: string, topic: string, partitions: TopicPartition[]): Promise<number | null>;
}
