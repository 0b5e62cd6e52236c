import { randomUUID } from 'node:crypto';
import { Client } from '@opensearch-project/opensearch';
import { Admin, Kafka, logLevel, Producer } from 'kafkajs';
import type { Knex } from 'knex';
import type { Config } from '../../server/common/config/schema';
import { createDatabase } from '../../server/common/db/knex';
import { migrateLatest } from '../../server/common/db/migrate';
import { consumerGroupFor, Pipeline, pipelineToRow, topicNamesFor } from '../../server/common/pipelines';
import { WORKER_TEST_MAPPING } from '../fixtures/worker-records';
import {
  ReadMessage,
  readTopic as readKafkaTopic,
  withAdmin as withKafkaAdmin,
  topicSize as kafkaTopicSize,
} from './adapter-env';
import { createTestDatabase, randomName, TestDatabase, testConfig, waitFor } from './index';

/** Real services for one worker suite: a fresh database, a Kafka client, an OpenSearch client. */
export interface WorkerEnv {
  config: Config;
  tdb: TestDatabase;
  db: Knex;
  kafka: Kafka;
  admin: Admin;
  producer: Producer;
  os: Client;
  close(): Promise<void>;
}

/**
 * Runs `fn` with a short-lived admin client, retrying kafkajs errors marked retriable (a leader moving,
 * a broker briefly paused by a fault test). A long-lived admin keeps every topic it ever looked up in
 * its metadata requests, and fails once one of them is deleted; a fresh one per call does not.
 */
export function withAdmin<T>(env: WorkerEnv, fn: (admin: Admin) => Promise<T>): Promise<T> {
  return withKafkaAdmin(env.kafka, fn);
}

export async function createWorkerEnv(): Promise<WorkerEnv> {
  const config = testConfig();
  const tdb = await createTestDatabase();
  const db = createDatabase({ url: tdb.url, poolMax: 4 });
  await migrateLatest(db, tdb.url);
  const kafka = new Kafka({
    clientId: 'worker-test',
    brokers: config.kafkaBrokers,
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  const producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: true });
  await producer.connect();
  const os = new Client({ node: config.opensearch.url });
  return {
    config,
    tdb,
    db,
    kafka,
    admin,
    producer,
    os,
    close: async () => {
      await Promise.allSettled([producer.disconnect(), admin.disconnect(), os.close(), db.destroy()]);
      await tdb.drop();
    },
  };
}

/** Creates a pipeline's topics and index as pipeline-mgmt would, and inserts its row. */
export async function createTestPipeline(
  env: WorkerEnv,
  over: Partial<Pipeline> = {},
  { mapping = WORKER_TEST_MAPPING as object, insert = true } = {},
): Promise<Pipeline> {
  const name = randomName('wp').replace(/_/g, '-');
  const now = new Date().toISOString();
  const p: Pipeline = {
    id: randomUUID(),
    name,
    description: 'worker test',
    index: `${name}-idx`,
    topics: topicNamesFor(name),
    partitions: 3,
    replicationFactor: 1,
    flush: { mib: null, items: null, intervalSec: null },
    idField: null,
    outputEnabled: true,
    processors: [],
    indexTemplate: null,
    schema: null,
    tests: [],
    status: 'running',
    version: 1,
    team: null,
    createdBy: 'test',
    updatedBy: 'test',
    createdAt: now,
    updatedAt: now,
    ...over,
  };
  for (const topic of [p.topics.input, p.topics.output, p.topics.error]) {
    await withAdmin(env, (admin) =>
      admin.createTopics({
        waitForLeaders: false,
        topics: [{ topic, numPartitions: p.partitions, replicationFactor: 1 }],
      }),
    );
  }
  await waitFor(
    async () => {
      const md = await withAdmin(env, (admin) =>
        admin.fetchTopicMetadata({ topics: [p.topics.input, p.topics.output, p.topics.error] }),
      );
      return md.topics.every(
        (t) => t.partitions.length === p.partitions && t.partitions.every((x) => x.leader >= 0),
      );
    },
    { what: 'topic leaders', timeoutMs: 20_000 },
  );
  await env.os.indices.create({
    index: p.index,
    body: {
      settings: { number_of_shards: 1, number_of_replicas: 0, refresh_interval: '1s' },
      mappings: mapping,
    },
  });
  if (insert) await env.db('pipelines').insert(pipelineToRow(p));
  return p;
}

/** Updates a pipeline row as pipeline-mgmt does: the change plus a version bump. */
export async function updatePipeline(
  env: WorkerEnv,
  p: Pipeline,
  change: Partial<Pipeline>,
): Promise<Pipeline> {
  const next: Pipeline = { ...p, ...change, version: p.version + 1, updatedAt: new Date().toISOString() };
  const row = pipelineToRow(next);
  await env.db('pipelines').where({ id: p.id }).update(row);
  return next;
}

export async function dropTestPipeline(env: WorkerEnv, p: Pipeline): Promise<void> {
  await withAdmin(env, (admin) =>
    admin.deleteTopics({ topics: [p.topics.input, p.topics.output, p.topics.error] }),
  ).catch(() => undefined);
  await env.os.indices.delete({ index: p.index }).catch(() => undefined);
}

/** Produces values to the pipeline's input topic (keys = String(seq)), in sends of `chunk`. */
export async function produce(
  env: WorkerEnv,
  topic: string,
  values: Array<{ key?: string; value: Buffer | string | null }>,
  chunk = 2000,
): Promise<void> {
  for (let i = 0; i < values.length; i += chunk) {
    await env.producer.send({
      topic,
      acks: -1,
      messages: values.slice(i, i + chunk).map((v) => ({ key: v.key ?? null, value: v.value })),
    });
  }
}

export async function countDocs(env: WorkerEnv, index: string): Promise<number> {
  await env.os.indices.refresh({ index });
  return (await env.os.count({ index })).body.count as number;
}

/** `seq` values indexed more than once (a terms aggregation with min_doc_count 2): must be empty. */
export async function duplicateSeqs(env: WorkerEnv, index: string): Promise<unknown[]> {
  await env.os.indices.refresh({ index });
  const body = { size: 0, aggs: { dup: { terms: { field: 'seq', min_doc_count: 2, size: 100 } } } };
  const r = await env.os.search({ index, body: body as Record<string, unknown> });
  return (r.body.aggregations as { dup: { buckets: unknown[] } }).dup.buckets;
}

/** Documents written more than once (`_version` > 1): replays the deterministic `_id` absorbed. */
export async function rewrittenDocs(env: WorkerEnv, index: string): Promise<number> {
  await env.os.indices.refresh({ index });
  let res = await env.os.search({
    index,
    scroll: '30s',
    body: { size: 10_000, version: true, _source: false, query: { match_all: {} } } as Record<
      string,
      unknown
    >,
  });
  let rewritten = 0;
  for (;;) {
    const hits = res.body.hits.hits as Array<{ _version?: number }>;
    if (hits.length === 0) break;
    rewritten += hits.filter((h) => (h._version ?? 1) > 1).length;
    res = await env.os.scroll({ body: { scroll_id: res.body._scroll_id!, scroll: '30s' } });
  }
  await env.os.clearScroll({ body: { scroll_id: res.body._scroll_id! } }).catch(() => undefined);
  return rewritten;
}

/** Sum of end offsets minus the group's committed offsets over the topic's partitions. */
export async function groupLag(env: WorkerEnv, pipelineId: string, topic: string): Promise<number> {
  const [ends, committed] = await withAdmin(env, (admin) =>
    Promise.all([
      admin.fetchTopicOffsets(topic),
      admin.fetchOffsets({ groupId: consumerGroupFor(pipelineId), topics: [topic] }),
    ]),
  );
  const byPartition = new Map(committed[0]!.partitions.map((p) => [p.partition, Number(p.offset)]));
  return ends.reduce((sum, e) => {
    const c = byPartition.get(e.partition) ?? -1;
    return sum + (Number(e.high) - (c < 0 ? Number(e.low) : c));
  }, 0);
}

/** A record read back from a topic (one implementation, shared with the adapter tests). */
export type ReadRecord = ReadMessage;

/** Reads a whole topic from the beginning until `count` records arrived (or throws after the timeout). */
export function readTopic(
  env: WorkerEnv,
  topic: string,
  count: number,
  timeoutMs = 30_000,
): Promise<ReadRecord[]> {
  return readKafkaTopic(env.kafka, topic, count, { timeoutMs });
}

/** The end offsets of a topic, summed: how many records it holds. */
export function topicSize(env: WorkerEnv, topic: string): Promise<number> {
  return kafkaTopicSize(env.kafka, topic);
}

export function workerEnvVars(env: WorkerEnv, extra: Record<string, string> = {}): Record<string, string> {
  return {
    SDP_MYSQL_URL: env.tdb.url,
    SDP_KAFKA_BROKERS: env.config.kafkaBrokers.join(','),
    SDP_OPENSEARCH_URL: env.config.opensearch.url,
    SDP_KAFKA_SESSION_TIMEOUT_MS: '6000',
    SDP_KAFKA_MAX_POLL_INTERVAL_MS: '20000',
    ...extra,
  };
}
