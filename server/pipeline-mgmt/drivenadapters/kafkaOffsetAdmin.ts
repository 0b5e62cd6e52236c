import type { Admin } from 'kafkajs';
import { DependencyError } from '../../common/errors';
import type { OffsetAdmin } from '../interfaces/offsetAdmin';

async function kafkaCall<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw new DependencyError(`Kafka: ${what} failed`, { cause: e });
  }
}

/** A pipeline group's offsets through kafkajs' admin client. */
export function createKafkaOffsetAdmin({ admin }: { admin: Admin }): OffsetAdmin {
  return {
    describe: (groupId, topic) =>
      kafkaCall(`reading the offsets of ${topic}`, async () => {
        const [ends, committed] = await Promise.all([
          admin.fetchTopicOffsets(topic),
          admin.fetchOffsets({ groupId, topics: [topic] }),
        ]);
        const byPartition = new Map(
          (committed[0]?.partitions ?? []).map((p) => [p.partition, p.offset === '-1' ? null : p.offset]),
        );
        return ends
          .map((e) => ({
            partition: e.partition,
            committed: byPartition.get(e.partition) ?? null,
            logStart: e.low,
            logEnd: e.high,
          }))
          .sort((a, b) => a.partition - b.partition);
      }),
    logBounds: (topic) =>
      kafkaCall(`reading the offsets of ${topic}`, async () =>
        (await admin.fetchTopicOffsets(topic))
          .map((e) => ({ partition: e.partition, logStart: e.low, logEnd: e.high }))
          .sort((a, b) => a.partition - b.partition),
      ),
    activeMembers: (groupId) =>
      kafkaCall(`describing group ${groupId}`, async () => {
        const { groups } = await admin.describeGroups([groupId]);
        return groups[0]?.members.length ?? 0;
      }),
    commit: (groupId, topic, partitions) =>
      kafkaCall(`moving group ${groupId}`, () => admin.setOffsets({ groupId, topic, partitions })),
    offsetsAt: (topic, at) =>
      kafkaCall(`finding offsets of ${topic} by time`, async () =>
        (await admin.fetchTopicOffsetsByTimestamp(topic, at.getTime())).map((p) => ({
          partition: p.partition,
          offset: p.offset,
        })),
      ),
  };
}
