import { randomBytes } from 'node:crypto';
import { Client } from '@opensearch-project/opensearch';
import { Admin, Kafka, logLevel } from 'kafkajs';
import type { Knex } from 'knex';
import type { Config } from '../../server/common/config/schema';
import { createDatabase } from '../../server/common/db/knex';
import { MgmtOverrides, startMgmt } from '../../server/pipeline-mgmt/main';
import { createTestDatabase, randomName, testConfig, testLogger, TestDatabase } from './index';

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
  /** Bearer token to send: default the harness's admin token; null sends no Authorization header. */
  token?: string | null;
}

/** One pipeline-mgmt on port 0 against a fresh database and the real Kafka and OpenSearch. */
export interface MgmtHarness {
  base: string;
  config: Config;
  /** The bootstrap admin token (SDP_ADMIN_TOKEN) the harness's mgmt runs with. */
  adminToken: string;
  /** Mints a token through the API (as the admin unless `as` is given) and returns its secret. */
  mint(body: { name: string; role: string; team?: string | null }, as?: string): Promise<string>;
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
  const adminToken = `test-admin-${randomBytes(16).toString('hex')}`;
  const config = testConfig({ SDP_MYSQL_URL: tdb.url, SDP_HTTP_PORT: '0' });
  const mgmtConfig = testConfig({
    SDP_MYSQL_URL: tdb.url,
    SDP_HTTP_PORT: '0',
    SDP_ADMIN_TOKEN: adminToken,
    // The suites fire requests back to back; the rate-limit suite sets its own.
    SDP_SERVER_RATE_LIMIT_PER_SEC: '100000',
    SDP_SERVER_RATE_LIMIT_BURST: '100000',
    ...env,
  });
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

  const api = async <T>(method: string, path: string, options: RequestOptions = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    const token = options.token === undefined ? adminToken : options.token;
    if (token !== null && !Object.keys(headers).some((k) => k.toLowerCase() === 'authorization')) {
      headers.authorization = `Bearer ${token}`;
    }
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
  };

  return {
    base,
    config,
    adminToken,
    db,
    admin,
    kafka,
    opensearch,
    api,
    mint: async (body, as) => {
      const res = await api<{ token: string }>('POST', '/api/v1/tokens', { body, token: as });
      if (res.status !== 201) throw new Error(`mint ${body.name}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.token;
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
