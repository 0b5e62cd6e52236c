import { Client } from '@opensearch-project/opensearch';
import { Kafka, logLevel } from 'kafkajs';
import { createDatabase } from '../../server/common/db/knex';
import { migrateLatest, migrateRollbackAll } from '../../server/common/db/migrate';
import { MIGRATIONS } from '../../server/common/db/migrations';
import { createTestDatabase, randomName, testConfig, waitFor, pipelineRowAt001 } from '../helpers';

// Proof that the stack is real: each service is reached with the client the product uses.
describe('the real local stack', () => {
  const config = testConfig();

  it('MariaDB: migrations run up and down with data in the tables', async () => {
    const tdb = await createTestDatabase();
    const db = createDatabase({ url: tdb.url, poolMax: 2 });
    try {
      const applied = await migrateLatest(db, tdb.url);
      expect(applied).toContain('001_pipelines');
      expect(await migrateLatest(db, tdb.url)).toEqual([]); // idempotent
      await db('pipelines').insert(pipelineRowAt001('p1', 'n1'));
      await expect(db('pipelines').insert(pipelineRowAt001('p2', 'n1'))).rejects.toThrow(/Duplicate entry/);
      const rows = await db('pipelines').select('name', 'version');
      expect(rows).toEqual([{ name: 'n1', version: 1 }]);
      await migrateRollbackAll(db);
      expect(await db.schema.hasTable('pipelines')).toBe(false);
      expect(await db.schema.hasTable('pipeline_tasks')).toBe(false);
    } finally {
      await db.destroy();
      await tdb.drop();
    }
  });

  it('MariaDB: concurrent migrations from two replicas both succeed', async () => {
    const tdb = await createTestDatabase();
    const a = createDatabase({ url: tdb.url, poolMax: 2 });
    const b = createDatabase({ url: tdb.url, poolMax: 2 });
    try {
      const [ra, rb] = await Promise.all([migrateLatest(a, tdb.url), migrateLatest(b, tdb.url)]);
      expect([...ra, ...rb].sort()).toEqual(MIGRATIONS.map(([name]) => name).sort());
    } finally {
      await Promise.all([a.destroy(), b.destroy()]);
      await tdb.drop();
    }
  });

  it('Kafka: kafkajs creates a topic, produces and consumes', async () => {
    const kafka = new Kafka({
      clientId: 'stack-test',
      brokers: config.kafkaBrokers,
      logLevel: logLevel.NOTHING,
    });
    const topic = randomName('stack.topic');
    const admin = kafka.admin();
    const producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: true });
    const consumer = kafka.consumer({ groupId: randomName('g'), allowAutoTopicCreation: false });
    await admin.connect();
    try {
      expect(await admin.createTopics({ topics: [{ topic, numPartitions: 2, replicationFactor: 1 }] })).toBe(
        true,
      );
      expect(await admin.listTopics()).toContain(topic);
      await producer.connect();
      const values = Array.from({ length: 20 }, (_, i) => JSON.stringify({ i }));
      await producer.send({
        topic,
        acks: -1,
        messages: values.map((value, i) => ({ key: String(i), value })),
      });
      const seen: string[] = [];
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          seen.push(message.value?.toString() ?? '');
        },
      });
      await waitFor(() => seen.length >= values.length, { what: 'all records consumed' });
      expect(seen.sort()).toEqual([...values].sort());
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    }
  });

  it('OpenSearch: creates an index, bulk-indexes and searches', async () => {
    const client = new Client({ node: config.opensearch.url });
    const index = randomName('stack-index').replace(/_/g, '-');
    try {
      await client.indices.create({
        index,
        body: {
          settings: { number_of_shards: 1, number_of_replicas: 0 },
          mappings: { properties: { n: { type: 'integer' } } },
        },
      });
      const body = Array.from({ length: 50 }, (_, i) => [
        { index: { _index: index, _id: `d${i}` } },
        { n: i },
      ]).flat();
      const res = await client.bulk({ body, refresh: 'wait_for' });
      expect(res.body.errors).toBe(false);
      const search = await client.search({ index, body: { query: { range: { n: { gte: 40 } } } } });
      const total = search.body.hits.total;
      expect(typeof total === 'number' ? total : total?.value).toBe(10);
      const count = await client.count({ index });
      expect(count.body.count).toBe(50);
    } finally {
      await client.indices.delete({ index }).catch(() => undefined);
      await client.close();
    }
  });
});
