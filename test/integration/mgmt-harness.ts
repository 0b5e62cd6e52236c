import { Client } from '@opensearch-project/opensearch';
import { Admin, Kafka, logLevel } from 'kafkajs';
import type { Knex } from 'knex';
import type { Config } from '../../server/common/config/schema';
import { createDatabase } from '../../server/common/db/knex';
import { MgmtOverrides, startMgmt } from '../../server/pipeline-mgmt/main';
import { createTestDatabase, randomName, testConfig, testLogger, TestDatabase } from '../helpers';

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export interface RequestOptions {
  body?: unknown;
  /** Sent as is (no JSON encoding). */
  raw?: string | Buffer;
  headers?: Record<string, string>;
}

/** One pipeline-mgmt on port 0 against a fresh database and the real Kafka and OpenSearch. */
export interface MgmtHarness {
  base: string;
  config: Config;
  db: Knex;
  admin: Admin;
  kafka: Kafka;
  opensearch: Client;
  api<T = Record<string, unknown>>(
    method: string,
    path: string,
    options?: RequestOptions,
  ): Promise<ApiResponse<T>>;
  /** A new OpenSearch index (random name unless given), deleted at stop(). */
  newIndex(name?: string): Promise<string>;
  /** A random index name (not created), deleted at stop() if something made it. */
  indexName(): string;
  /** A random pipeline name (or the one given) whose topics are deleted at stop(). */
  newName(name?: string): string;
  /** Topics of the harness's pipeline names that exist now. */
  topicsOf(name: string): Promise<string[]>;
  stop(): Promise<void>;
}

export async function startMgmtHarness(
  overrides: MgmtOverrides = {},
  env: Record<string, string> = {},
): Promise<MgmtHarness> {
  const tdb: TestDatabase = await createTestDatabase();
  const config = testConfig({ SDP_MYSQL_URL: tdb.url, SDP_HTTP_PORT: '0' });
  const mgmtConfig = testConfig({ SDP_MYSQL_URL: tdb.url, SDP_HTTP_PORT: '0', ...env });
  const mgmt = await startMgmt({ config: mgmtConfig, logger: testLogger('mgmt'), overrides });
  const base = `http://127.0.0.1:${mgmt.port}`;
  const db = createDatabase({ url: tdb.url, poolMax: 4 });
  const kafka = new Kafka({
    clientId: 'mgmt-test',
    brokers: config.kafkaBrokers,
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  const opensearch = new Client({ node: config.opensearch.url });
  const indices: string[] = [];
  const names: string[] = [];

  const topicsOf = async (name: string) => {
    const all = await admin.listTopics();
    return all.filter((t) => t.startsWith(`sdp.${name}.`)).sort();
  };

  return {
    base,
    config,
    db,
    admin,
    kafka,
    opensearch,
    api: async <T>(method: string, path: string, options: RequestOptions = {}) => {
      const headers: Record<string, string> = { ...options.headers };
      let body: string | Buffer | undefined = options.raw;
      if (options.body !== undefined) {
        body = JSON.stringify(options.body);
        if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) {
          headers['content-type'] = 'application/json';
        }
      }
      const res = await fetch(`${base}${path}`, { method, headers, body });
      const text = await res.text();
      let parsed: unknown = text;
      if ((res.headers.get('content-type') ?? '').includes('json')) parsed = JSON.parse(text);
      return { status: res.status, headers: res.headers, body: parsed as T };
    },
    newIndex: async (name?: string) => {
      const index = name ?? randomName('mgmt-idx').replace(/_/g, '-');
      await opensearch.indices.create({
        index,
        body: { settings: { number_of_shards: 1, number_of_replicas: 0 } },
      });
      indices.push(index);
      return index;
    },
    indexName: () => {
      const index = randomName('mgmt-idx').replace(/_/g, '-');
      indices.push(index);
      return index;
    },
    newName: (given?: string) => {
      const name = given ?? randomName('p');
      names.push(name);
      return name;
    },
    topicsOf,
    stop: async () => {
      try {
        await mgmt.stop();
        const leftovers = (await admin.listTopics()).filter((t) =>
          names.some((n) => t.startsWith(`sdp.${n}.`)),
        );
        if (leftovers.length > 0) await admin.deleteTopics({ topics: leftovers }).catch(() => undefined);
        for (const index of indices) await opensearch.indices.delete({ index }).catch(() => undefined);
      } finally {
        await admin.disconnect();
        await opensearch.close();
        await db.destroy();
        await tdb.drop();
      }
    },
  };
}
