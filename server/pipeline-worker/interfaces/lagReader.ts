import type { TopicPartition } from '../../common/records';

/** Reads a consumer group's lag from Kafka. */
export interface LagReader {
  /**
   * Per partition of `partitions`: log end offset minus the group's committed offset (the log start
   * offset when nothing is committed); null when it cannot be read.
   */
  partitionLag(
    groupId: string,
    topic: string,
    partitions: TopicPartition[],
  ): Promise<Map<number, number> | null>;
}

/** The sum of a per-partition lag. */
export function totalLag(byPartition: ReadonlyMap<number, number>): number {
  let sum = 0;
  for (const v of byPartition.values()) sum += v;
  return sum;
}
