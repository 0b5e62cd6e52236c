import type { Admin } from 'kafkajs';
import type { LagReader } from '../interfaces/lagReader';

/** Lag from the log end offsets and the group's committed offsets (read-only admin calls). */
export function createKafkaLagReader({ admin }: { admin: Admin }): LagReader {
  return {
    async partitionLag(groupId, topic, partitions) {
      const [ends, committed] = await Promise.all([
        admin.fetchTopicOffsets(topic),
        admin.fetchOffsets({ groupId, topics: [topic] }),
      ]);
      const committedBy = new Map<number, string>();
      for (const t of committed) for (const p of t.partitions) committedBy.set(p.partition, p.offset);
      const lag = new Map<number, number>();
      for (const { partition } of partitions) {
        const end = ends.find((e) => e.partition === partition);
        if (!end) return null;
        const c = committedBy.get(partition);
        const from = c === undefined || c === '-1' ? Number(end.low) : Number(c);
        lag.set(partition, Math.max(0, Number(end.high) - from));
      }
      return lag;
    },
  };
}
