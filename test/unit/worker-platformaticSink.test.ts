import { Partitioners } from 'kafkajs';
import {
  chunkByPartition,
  partitionOfKey,
  PartitionedMessage,
} from '../../server/pipeline-worker/drivenadapters/platformaticRecordSink';

const message = (partition: number, bytes: number, seq: number): PartitionedMessage => ({
  partition,
  message: { key: null, value: Buffer.alloc(bytes, seq % 256), headers: {} },
});

describe('@platformatic/kafka record sink: partitions and produce requests', () => {
  it("puts a key on the partition kafkajs' default (Java-compatible) partitioner chooses", () => {
    const kafkajs = Partitioners.DefaultPartitioner();
    for (const partitions of [1, 3, 7, 64]) {
      const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({
        partitionId,
        leader: 0,
        partitionErrorCode: 0,
        replicas: [0],
        isr: [0],
      }));
      for (let i = 0; i < 500; i++) {
        const key = Buffer.from(i % 3 === 0 ? String(i) : `key-${i}-ü`);
        expect({ key: String(key), p: partitionOfKey(key, partitions) }).toEqual({
          key: String(key),
          p: kafkajs({ topic: 't', partitionMetadata, message: { key, value: null } }),
        });
      }
    }
  });

  it("cuts requests so that each partition's batch stays under its limit, keeping the order", () => {
    // 3 partitions, 10 messages of ~1 KB each per partition, interleaved; 4 KiB per partition.
    const messages = Array.from({ length: 30 }, (_, i) => message(i % 3, 1000, i));
    const chunks = chunkByPartition(messages, 4096, 1 << 20);
    expect(chunks.flat()).toEqual(messages);
    for (const chunk of chunks) {
      for (const p of [0, 1, 2]) {
        const bytes = chunk
          .filter((m) => m.partition === p)
          .reduce((n, m) => n + m.message.value.length + 80, 0);
        expect(bytes).toBeLessThanOrEqual(4096);
      }
    }
    // Every request carries all three partitions' batches: 30 KB in 3 requests, not 8.
    expect(chunks.map((c) => c.length)).toEqual([9, 9, 9, 3]);
  });

  it('bounds the request as a whole, and sends a message over the limits alone', () => {
    const messages = [message(0, 500, 0), message(1, 500, 1), message(2, 5000, 2), message(0, 100, 3)];
    const chunks = chunkByPartition(messages, 4096, 1200);
    expect(chunks.map((c) => c.map((m) => m.message.value[0]))).toEqual([[0, 1], [2], [3]]);
    expect(chunkByPartition([])).toEqual([]);
  });
});
