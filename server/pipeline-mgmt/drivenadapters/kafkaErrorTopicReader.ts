import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { DependencyError } from '../../common/errors';
import type {
  ErrorTopicReader,
  PartitionRange,
  RangeRead,
  StoredErrorRecord,
} from '../interfaces/errorTopic';

function headersOf(raw: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw ?? {})) {
    const one = Array.isArray(v) ? v[0] : v;
    if (one !== undefined && one !== null) out[k] = Buffer.isBuffer(one) ? one.toString('utf8') : String(one);
  }
  return out;
}

/**
 * Reads offset ranges of a topic with a consumer of its own (a one-off group, deleted afterwards):
 * kafkajs has no group-less fetch. The group joins, seeks each partition to its range and stops once
 * every range is read or `timeoutMs` passed (then what was read so far is returned).
 */
export function createKafkaErrorTopicReader({ kafka }: { kafka: Kafka }): ErrorTopicReader {
  return {
    async read(topic, ranges, timeoutMs): Promise<RangeRead> {
      const wanted = ranges.filter((r) => BigInt(r.from) < BigInt(r.to));
      if (wanted.length === 0) return { records: [], finished: ranges.map((r) => r.partition) };
      const groupId = `sdp-mgmt-browse-${randomBytes(6).toString('hex')}`;
      const consumer = kafka.consumer({
        groupId,
        maxWaitTimeInMs: 100,
        sessionTimeout: 10_000,
        heartbeatInterval: 1_000,
      });
      const admin = kafka.admin();
      // By partition and offset: a batch fetched before the seek took effect may be read again after it.
      const out = new Map<string, StoredErrorRecord>();
      const open = new Map<number, PartitionRange>(wanted.map((r) => [r.partition, r]));
      try {
        await Promise.all([consumer.connect(), admin.connect()]);
        await consumer.subscribe({ topics: [topic], fromBeginning: true });
        let finish!: () => void;
        const done = new Promise<void>((resolve) => (finish = resolve));
        const timer = setTimeout(finish, timeoutMs);
        consumer.on(consumer.events.GROUP_JOIN, () => {
          for (const r of wanted) consumer.seek({ topic, partition: r.partition, offset: r.from });
        });
        await consumer.run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            const range = open.get(batch.partition);
            if (!range) return;
            const from = BigInt(range.from);
            const to = BigInt(range.to);
            for (const m of batch.messages) {
              const offset = BigInt(m.offset);
              if (offset < from) continue;
              if (offset >= to) break;
              out.set(`${batch.partition}:${m.offset}`, {
                partition: batch.partition,
                offset: m.offset,
                timestamp: Number(m.timestamp),
                headers: headersOf(m.headers as Record<string, unknown> | undefined),
                value: m.value ? Buffer.from(m.value) : null,
              });
            }
            // Done with a partition at the end of its range, or at the end of what the log holds.
            const last = BigInt(batch.lastOffset());
            if (last >= to - 1n || BigInt(batch.highWatermark) <= last + 1n) {
              open.delete(batch.partition);
              consumer.pause([{ topic, partitions: [batch.partition] }]);
              if (open.size === 0) finish();
            }
          },
        });
        await done;
        clearTimeout(timer);
        const finished = ranges.map((r) => r.partition).filter((partition) => !open.has(partition));
        return { records: [...out.values()], finished };
      } catch (e) {
        throw new DependencyError(`cannot read ${topic}`, { cause: e });
      } finally {
        await consumer.disconnect().catch(() => undefined);
        await admin.deleteGroups([groupId]).catch(() => undefined);
        await admin.disconnect().catch(() => undefined);
      }
    },
  };
}
