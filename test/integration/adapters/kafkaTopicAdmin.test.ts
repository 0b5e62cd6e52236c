import type { Admin, Consumer, Kafka } from 'kafkajs';
import { InputError } from '../../../server/common/errors';
import { createKafkaTopicAdmin } from '../../../server/pipeline-mgmt/drivenadapters/kafkaTopicAdmin';
import type { TopicAdmin } from '../../../server/pipeline-mgmt/interfaces/topicAdmin';
import { randomName, testLogger, waitFor } from '../../helpers';
import {
  createTopic,
  deleteTopics,
  randomResourceName,
  testKafka,
  topicSize,
  withAdmin,
} from '../../helpers/adapter-env';

// createKafkaTopicAdmin on the real broker, through one long-lived admin client as pipeline-mgmt
// holds it. Outcomes are read back with separate, short-lived admin clients.
describe('KafkaTopicAdmin', () => {
  let kafka: Kafka;
  let admin: Admin;
  let topicAdmin: TopicAdmin;
  const topics: string[] = [];
  const newName = () => {
    const name = randomResourceName('admin');
    topics.push(name);
    return name;
  };
  const metadataOf = (topic: string) =>
    withAdmin(kafka, async (a) => (await a.fetchTopicMetadata({ topics: [topic] })).topics[0]!);
  const listed = () => withAdmin(kafka, (a) => a.listTopics());

  beforeAll(async () => {
    kafka = testKafka('topic-admin-test');
    admin = kafka.admin({ retry: { initialRetryTime: 300, retries: 3, maxRetryTime: 5_000 } });
    await admin.connect();
    topicAdmin = createKafkaTopicAdmin({ admin, logger: testLogger('topic-admin'), timeoutMs: 15_000 });
  });
  afterAll(async () => {
    await admin?.disconnect();
    await deleteTopics(kafka, topics);
  });

  it('creates a topic with its partitions, and returns only once every partition has a leader: a produce to each right after succeeds', async () => {
    const name = newName();

    expect(await topicAdmin.createTopic({ name, partitions: 4, replicationFactor: 1 })).toBe('created');

    // Kafka itself guarantees no more than this: the metadata names a leader, and a broker that has
    // not applied its leadership yet answers NOT_LEADER_OR_FOLLOWER for a moment (seen right after a
    // broker restart), which producers retry. So a few retries, never topic auto-creation.
    const producer = kafka.producer({
      allowAutoTopicCreation: false,
      retry: { retries: 3, initialRetryTime: 100 },
    });
    await producer.connect();
    try {
      for (let partition = 0; partition < 4; partition++) {
        await producer.send({ topic: name, acks: -1, messages: [{ partition, value: `p${partition}` }] });
      }
    } finally {
      await producer.disconnect();
    }
    const meta = await metadataOf(name);
    expect(meta.partitions.map((p) => [p.partitionId, p.replicas.length]).sort()).toEqual([
      [0, 1],
      [1, 1],
      [2, 1],
      [3, 1],
    ]);
    expect(meta.partitions.every((p) => p.leader >= 0)).toBe(true);
    expect(await topicSize(kafka, name)).toBe(4);
    const topics = await listed();
    expect(topics).toContain(name);
    expect(topics).not.toContain(`${name}-never-made`);
  });

  it('creates several topics at once, each with its leaders', async () => {
    const names = [newName(), newName(), newName()];

    const results = await Promise.all(
      names.map((name) => topicAdmin.createTopic({ name, partitions: 2, replicationFactor: 1 })),
    );

    expect(results).toEqual(['created', 'created', 'created']);
    for (const name of names) {
      const meta = await metadataOf(name);
      expect(meta.partitions.filter((p) => p.leader >= 0)).toHaveLength(2);
    }
  });

  it('answers `exists` for a topic that is already there and leaves it as it was', async () => {
    const name = newName();
    await createTopic(kafka, name, { partitions: 2 });

    expect(await topicAdmin.createTopic({ name, partitions: 5, replicationFactor: 1 })).toBe('exists');

    expect((await metadataOf(name)).partitions).toHaveLength(2);
  });

  it('refuses a replication factor above the broker count as InputError, creating nothing', async () => {
    const name = newName();

    const err: unknown = await topicAdmin
      .createTopic({ name, partitions: 1, replicationFactor: 3 })
      .catch((e) => e);

    expect(err).toBeInstanceOf(InputError);
    expect(err).toMatchObject({ code: 'invalid_replication_factor' });
    expect(await listed()).not.toContain(name);
  });

  it('deletes topics and returns once they are no longer listed; missing names are ignored', async () => {
    const [a, b] = [newName(), newName()];
    await topicAdmin.createTopic({ name: a, partitions: 1, replicationFactor: 1 });
    await topicAdmin.createTopic({ name: b, partitions: 1, replicationFactor: 1 });

    expect((await topicAdmin.deleteTopics([a, b, `${a}-never-made`])).sort()).toEqual([a, b].sort());

    const now = await listed();
    expect(now).not.toContain(a);
    expect(now).not.toContain(b);
    await expect(topicAdmin.deleteTopics([a])).resolves.toEqual([]);
  });

  it('keeps creating topics after one it created was deleted by another client', async () => {
    const gone = newName();
    await topicAdmin.createTopic({ name: gone, partitions: 1, replicationFactor: 1 });
    await withAdmin(kafka, (a) => a.deleteTopics({ topics: [gone] }));
    await waitFor(async () => !(await listed()).includes(gone), { what: `${gone} deleted` });
    const next = newName();

    expect(await topicAdmin.createTopic({ name: next, partitions: 1, replicationFactor: 1 })).toBe('created');

    expect((await metadataOf(next)).partitions[0]!.leader).toBeGreaterThanOrEqual(0);
  });

  describe('deleteConsumerGroup', () => {
    const groupsListed = () =>
      withAdmin(kafka, async (a) => (await a.listGroups()).groups.map((g) => g.groupId));

    it('deletes a group with committed offsets and no members', async () => {
      const topic = newName();
      await createTopic(kafka, topic);
      const groupId = randomName('group');
      await withAdmin(kafka, (a) =>
        a.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '0' }] }),
      );
      expect(await groupsListed()).toContain(groupId);

      expect(await topicAdmin.deleteConsumerGroup(groupId)).toBe('deleted');

      expect(await groupsListed()).not.toContain(groupId);
    });

    it('answers `not_found` for a group that does not exist', async () => {
      expect(await topicAdmin.deleteConsumerGroup(randomName('nogroup'))).toBe('not_found');
    });

    it('answers `not_empty` for a group with a live member, and leaves it', async () => {
      const topic = newName();
      await createTopic(kafka, topic);
      const groupId = randomName('group');
      let joined = false;
      const consumer: Consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
      consumer.on(consumer.events.GROUP_JOIN, () => {
        joined = true;
      });
      await consumer.connect();
      try {
        await consumer.subscribe({ topics: [topic] });
        await consumer.run({ eachMessage: async () => undefined });
        await waitFor(() => joined, { what: `${groupId} joined` });

        expect(await topicAdmin.deleteConsumerGroup(groupId)).toBe('not_empty');

        expect(await groupsListed()).toContain(groupId);
      } finally {
        await consumer.disconnect();
      }
    });
  });
});
