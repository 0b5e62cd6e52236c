import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import knexFactory, { Knex } from 'knex';
import { parse as parseYaml } from 'yaml';
import { buildConfig, DEFAULT_CONFIG_PATH } from '../../server/common/config/load';
import type { Config } from '../../server/common/config/schema';
import { connectionFromUrl } from '../../server/common/db/knex';
import { createLogger, Logger } from '../../server/common/logger';

/** A random lowercase name, safe for databases, topics, indices and pipelines. */
export function randomName(prefix = 't'): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`.toLowerCase();
}

/** The config the tests run with: the repo's YAML, the environment (set by the global setup), then `overrides` as env. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  const raw = parseYaml(readFileSync(DEFAULT_CONFIG_PATH, 'utf8')) as unknown;
  return buildConfig(raw, {
    ...process.env,
    SDP_LOG_LOG_LEVEL: process.env.SDP_LOG_LOG_LEVEL ?? 'warn',
    ...overrides,
  });
}

export function testLogger(name = 'test'): Logger {
  return createLogger({ name, logLevel: process.env.SDP_TEST_LOG_LEVEL ?? 'silent', developMode: false });
}

/** Polls `fn` until it returns a truthy value (returned) or the time runs out (throws with the last value). */
export async function waitFor<T>(
  fn: () => Promise<T> | T,
  { timeoutMs = 30_000, intervalMs = 200, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      last = await fn();
      if (last) return last as T;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${String(last)}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** A fresh logical database on the real MariaDB, for one suite. */
export async function createTestDatabase(
  baseUrl = process.env.SDP_MYSQL_URL ?? testConfig().mysql.url,
): Promise<TestDatabase> {
  const name = randomName('sdp_test');
  const admin: Knex = knexFactory({
    client: 'mysql2',
    connection: { ...connectionFromUrl(baseUrl), database: undefined },
  });
  await admin.raw(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.destroy();
  const u = new URL(baseUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    name,
    drop: async () => {
      const k: Knex = knexFactory({
        client: 'mysql2',
        connection: { ...connectionFromUrl(baseUrl), database: undefined },
      });
      await k.raw(`DROP DATABASE IF EXISTS \`${name}\``);
      await k.destroy();
    },
  };
}

/** A `pipelines` row with only the columns of migration 001, for migration tests that need data in the table. */
export function pipelineRowAt001(id: string, name: string, extra: Record<string, unknown> = {}) {
  const now = new Date();
  return {
    id,
    name,
    index_name: 'i1',
    topic_input: 'a',
    topic_output: 'b',
    topic_error: 'c',
    partitions: 1,
    replication_factor: 1,
    desired_status: 'running',
    created_by: 'test',
    updated_by: 'test',
    created_at: now,
    updated_at: now,
    ...extra,
  };
}
