import type { Admin, Kafka } from 'kafkajs';
import { createKafkaLagReader } from '../../../server/pipeline-worker/drivenadapters/kafkaLagReader';
import type { LagReader } from '../../../server/pipeline-worker/interfaces/lagReader';
import { randomName } from '../../helpers';
import {
  createTopic,
  deleteTopics,
  randomResourceName,
  testKafka,
  withAdmin,
} from '../../helpers/adapter-env';

// createKafkaLagReader on the real broker: a topic with known end offsets per partition and a group
// whose committed offsets are set behind them.
describe('KafkaLagReader', () => {
  let kafka: Kafka;
  let admin: Admin;
  let reader: LagReader;
  let topic: string;
  const partitions = (...ps: number[]) => ps.map((partition) => ({ topic, partition }));

  beforeAll(async () => {
    kafka = testKafka('lag-test');
    topic = randomResourceName('lag');
    await createTopic(kafka, topic, { partitions: 3 });
    // End offsets: partition 0 -> 10, 1 -> 4, 2 -> 0.
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      for (const [partition, n] of [
        [0, 10],
        [1, 4],
      ] as const) {
        const messages = Array.from({ length: n }, (_, i) => ({ partition, value: `v${i}` }));
        await producer.send({ topic, acks: -1, messages });
      }
    } finally {
      await producer.disconnect();
    }
    admin = kafka.admin();
    await admin.connect();
    reader = createKafkaLagReader({ admin });
  });
  afterAll(async () => {
    await admin?.disconnect();
    await deleteTopics(kafka, [topic]);
  });

  it('is the log end minus the committed offset of each partition asked for', async () => {
    const groupId = randomName('group');
    await withAdmin(kafka, (a) =>
      a.setOffsets({
        groupId,
        topic,
        partitions: [
          { partition: 0, offset: '3' },
          { partition: 1, offset: '4' },
          { partition: 2, offset: '0' },
        ],
      }),
    );

    expect(await reader.partitionLag(groupId, topic, partitions(0, 1, 2))).toEqual(
      new Map([
        [0, 7],
        [1, 0],
        [2, 0],
      ]),
    );
    expect(await reader.partitionLag(groupId, topic, partitions(0))).toEqual(new Map([[0, 7]]));
  });

  it('counts from the log start for partitions the group has not committed, and for a group that does not exist', async () => {
    const groupId = randomName('group');
    await withAdmin(kafka, (a) =>
      a.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '9' }] }),
    );

    expect(await reader.partitionLag(groupId, topic, partitions(0, 1, 2))).toEqual(
      new Map([
        [0, 1],
        [1, 4],
        [2, 0],
      ]),
    );
    expect(await reader.partitionLag(randomName('nogroup'), topic, partitions(0, 1))).toEqual(
      new Map([
        [0, 10],
        [1, 4],
      ]),
    );
  });

  it('follows the log end as records arrive', async () => {
    const groupId = randomName('group');
    await withAdmin(kafka, (a) =>
      a.setOffsets({ groupId, topic, partitions: [{ partition: 2, offset: '0' }] }),
    );
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      await producer.send({
        topic,
        acks: -1,
        messages: [
          { partition: 2, value: 'a' },
          { partition: 2, value: 'b' },
        ],
      });
    } finally {
      await producer.disconnect();
    }

    expect(await reader.partitionLag(groupId, topic, partitions(2))).toEqual(new Map([[2, 2]]));
  });

  it('is null when a partition asked for does not exist', async () => {
    expect(await reader.partitionLag(randomName('group'), topic, partitions(0, 7))).toBeNull();
  });
});
