import { retry } from '../../server/common/retry';
import { Client } from '@opensearch-project/opensearch';
import { Admin, IHeaders, Kafka, logLevel } from 'kafkajs';
import type { Knex } from 'knex';
import { createDatabase } from '../../server/common/db/knex';
import { migrateLatest } from '../../server/common/db/migrate';
import { createTestDatabase, randomName, TestDatabase, testConfig, waitFor } from './index';

// Set-up for the suites that test one driven adapter on the real services (test/integration/adapters).

/** A fresh logical database with every migration applied, for one suite. */
export interface MigratedDatabase {
  tdb: TestDatabase;
  db: Knex;
  close(): Promise<void>;
}

export async function createMigratedDatabase(): Promise<MigratedDatabase> {
  const tdb = await createTestDatabase();
  const db = createDatabase({ url: tdb.url, poolMax: 4 });
  await migrateLatest(db, tdb.url);
  return {
    tdb,
    db,
    close: async () => {
      await db.destroy();
      await tdb.drop();
    },
  };
}

/** A kafkajs client for the test brokers, quiet. */
export function testKafka(clientId = 'adapter-test'): Kafka {
  return new Kafka({ clientId, brokers: testConfig().kafkaBrokers, logLevel: logLevel.NOTHING });
}

export function testOpenSearch(node = testConfig().opensearch.url): Client {
  return new Client({ node, maxRetries: 0 });
}

/** A random topic or index name (Kafka and OpenSearch both accept it). */
export const randomResourceName = (prefix: string) => randomName(prefix).replace(/_/g, '-');

/**
 * Runs `fn` with a fresh admin client, disconnected afterwards, retrying Kafka's retriable errors (a
 * broker briefly paused or restarted by a fault test). A long-lived admin keeps every topic it ever
 * looked up in its metadata requests, and fails once one of them is deleted; a fresh one per call does not.
 */
export async function withAdmin<T>(kafka: Kafka, fn: (admin: Admin) => Promise<T>): Promise<T> {
  return retry(
    async () => {
      const admin = kafka.admin();
      await admin.connect();
      try {
        return await fn(admin);
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    },
    {
      initialMs: 200,
      maxMs: 2000,
      maxAttempts: 10,
      isRetriable: (e) => (e as { retriable?: unknown }).retriable === true,
    },
  );
}

/** Creates a topic (optionally with topic configs) and waits until every partition has a leader. */
export async function createTopic(
  kafka: Kafka,
  topic: string,
  { partitions = 1, configs = {} as Record<string, string> } = {},
): Promise<void> {
  await withAdmin(kafka, (admin) =>
    admin.createTopics({
      waitForLeaders: false,
      topics: [
        {
          topic,
          numPartitions: partitions,
          replicationFactor: 1,
          configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })),
        },
      ],
    }),
  );
  await waitFor(
    () =>
      withAdmin(kafka, async (admin) => {
        const md = await admin.fetchTopicMetadata({ topics: [topic] });
        const parts = md.topics[0]?.partitions ?? [];
        return parts.length === partitions && parts.every((p) => p.leader >= 0);
      }),
    { what: `leaders of ${topic}`, timeoutMs: 20_000 },
  );
}

export async function deleteTopics(kafka: Kafka, topics: string[]): Promise<void> {
  if (topics.length === 0) return;
  await withAdmin(kafka, async (admin) => {
    const existing = new Set(await admin.listTopics());
    const present = topics.filter((t) => existing.has(t));
    if (present.length > 0) await admin.deleteTopics({ topics: present });
  }).catch(() => undefined);
}

export interface ReadMessage {
  partition: number;
  offset: string;
  key: string | null;
  value: string;
  headers: Record<string, string>;
}

function headerText(h: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) out[k] = Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
  return out;
}

/**
 * Reads a topic from the beginning with a fresh consumer group until `count` messages arrived, or
 * throws after the timeout. `topicSize` tells whether the topic holds more than that.
 */
export async function readTopic(
  kafka: Kafka,
  topic: string,
  count: number,
  { timeoutMs = 30_000 } = {},
): Promise<ReadMessage[]> {
  const consumer = kafka.consumer({ groupId: randomName('reader'), allowAutoTopicCreation: false });
  const out: ReadMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        out.push({
          partition,
          offset: message.offset,
          key: message.key?.toString('utf8') ?? null,
          value: message.value?.toString('utf8') ?? '',
          headers: headerText(message.headers),
        });
      },
    });
    await waitFor(() => out.length >= count, {
      timeoutMs,
      what: `${count} messages on ${topic} (have ${out.length})`,
    });
  } finally {
    await consumer.disconnect();
  }
  return out;
}

/** Messages a topic holds: the end offsets minus the start offsets, over its partitions. */
export async function topicSize(kafka: Kafka, topic: string): Promise<number> {
  const ends = await withAdmin(kafka, (admin) => admin.fetchTopicOffsets(topic));
  return ends.reduce((s, e) => s + Number(e.high) - Number(e.low), 0);
}
