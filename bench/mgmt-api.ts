import { randomBytes, randomUUID } from 'node:crypto';
import knexFactory from 'knex';
import { Client } from '@opensearch-project/opensearch';
import { loadConfig } from '../server/common/config/load';
import { connectionFromUrl, createDatabase } from '../server/common/db/knex';
import { createLogger } from '../server/common/logger';
import { pipelineToRow, topicNamesFor } from '../server/common/pipelines';
import { startMgmt } from '../server/pipeline-mgmt/main';

/**
 * Small pipeline-mgmt benchmark (not a test): create latency over real Kafka topic creation, and
 * list latency with 1,000 pipelines stored. Runs against a scratch database, dropped at the end.
 *   node dist/bench/mgmt-api.js [--creates 50] [--stored 1000] [--lists 200]
 */
const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(name);
  return i < 0 ? def : Number(process.argv[i + 1]);
};
const CREATES = arg('--creates', 50);
const STORED = arg('--stored', 1000);
const LISTS = arg('--lists', 200);

function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

async function timed(fn: () => Promise<Response>, expectStatus: number): Promise<number> {
  const start = process.hrtime.bigint();
  const res = await fn();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const text = await res.text();
  if (res.status !== expectStatus)
    throw new Error(`expected ${expectStatus}, got ${res.status}: ${text.slice(0, 200)}`);
  return ms;
}

async function main(): Promise<void> {
  const base = loadConfig();
  const tag = randomBytes(4).toString('hex');
  const dbName = `sdp_bench_${tag}`;
  const server = knexFactory({
    client: 'mysql2',
    connection: { ...connectionFromUrl(base.mysql.url), database: undefined },
  });
  await server.raw(`CREATE DATABASE \`${dbName}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  const url = new URL(base.mysql.url);
  url.pathname = `/${dbName}`;
  // Authenticated as the admin (SDP_ADMIN_TOKEN, else one made up for this run); the per-token rate
  // limit is lifted so that the numbers are the API's, not the limiter's.
  const adminToken = process.env.SDP_ADMIN_TOKEN || `bench-${randomBytes(24).toString('hex')}`;
  const auth = { authorization: `Bearer ${adminToken}` };
  const config = loadConfig({
    ...process.env,
    SDP_MYSQL_URL: url.toString(),
    SDP_HTTP_PORT: '0',
    SDP_LOG_LOG_LEVEL: 'warn',
    SDP_ADMIN_TOKEN: adminToken,
    SDP_SERVER_RATE_LIMIT_PER_SEC: '1000000',
    SDP_SERVER_RATE_LIMIT_BURST: '1000000',
  });
  const logger = createLogger({ ...config.log, name: 'bench-mgmt' });
  const opensearch = new Client({ node: config.opensearch.url });
  const index = `bench-mgmt-${tag}`;
  await opensearch.indices.create({
    index,
    body: { settings: { number_of_shards: 1, number_of_replicas: 0 } },
  });
  const mgmt = await startMgmt({ config, logger });
  const api = `http://127.0.0.1:${mgmt.port}/api/v1/pipelines`;
  const db = createDatabase({ url: url.toString(), poolMax: 4 });
  const created: string[] = [];
  const rows: Array<[string, number[]]> = [];
  try {
    const createMs: number[] = [];
    for (let i = 0; i < CREATES; i++) {
      const name = `bench_${tag}_${i}`;
      const body = JSON.stringify({ name, index });
      createMs.push(
        await timed(async () => {
          const res = await fetch(api, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...auth },
            body,
          });
          if (res.status === 201) created.push(((await res.clone().json()) as { id: string }).id);
          return res;
        }, 201),
      );
    }
    rows.push([`create (${config.kafka.defaultPartitions} partitions x 3 topics, real Kafka)`, createMs]);

    // 1,000 pipelines: creating 3,000 topics would take minutes, so the rest are inserted as rows.
    const now = Date.now();
    const extra = Array.from({ length: Math.max(0, STORED - CREATES) }, (_, i) => {
      const name = `bench_${tag}_row_${i}`;
      const at = new Date(now + i).toISOString();
      return {
        ...pipelineToRow({
          id: randomUUID(),
          name,
          description: '',
          index,
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
          status: i % 2 ? 'running' : 'stopped',
          version: 1,
          team: null,
          createdBy: 'bench',
          updatedBy: 'bench',
          createdAt: at,
          updatedAt: at,
        }),
        lifecycle: 'ready',
      };
    });
    for (let i = 0; i < extra.length; i += 200) await db('pipelines').insert(extra.slice(i, i + 200));
    const stored = Number(((await db('pipelines').count({ n: '*' })) as Array<{ n: number }>)[0]?.n);

    const list = async (label: string, query: string) => {
      const ms: number[] = [];
      for (let i = 0; i < LISTS; i++)
        ms.push(await timed(() => fetch(`${api}?${query}`, { headers: auth }), 200));
      rows.push([`list ${label} (${stored} stored)`, ms]);
    };
    await list('first page, limit 50', 'limit=50');
    await list('first page, limit 500', 'limit=500');
    const mid = (await (await fetch(`${api}?limit=500`, { headers: auth })).json()) as { nextCursor: string };
    await list('page after 500 (cursor), limit 50', `limit=50&cursor=${mid.nextCursor}`);
    await list('status=running, limit 50', 'status=running&limit=50');
    await list('name prefix, limit 50', `name=bench_${tag}_row_9&limit=50`);

    const deleteMs: number[] = [];
    for (const id of created.splice(0))
      deleteMs.push(
        await timed(() => fetch(`${api}/${id}?force=true`, { method: 'DELETE', headers: auth }), 204),
      );
    rows.push(['delete (force: stop, 3 topics, group, record)', deleteMs]);

    const w = Math.max(...rows.map(([l]) => l.length));
    const line = (cols: string[]) =>
      `${cols[0]?.padEnd(w)}  ${cols
        .slice(1)
        .map((c) => c.padStart(8))
        .join('  ')}`;
    console.log(line(['operation', 'n', 'p50 ms', 'p99 ms', 'max ms']));
    console.log('-'.repeat(w + 40));
    for (const [label, ms] of rows) {
      console.log(
        line([
          label,
          String(ms.length),
          pct(ms, 50).toFixed(1),
          pct(ms, 99).toFixed(1),
          Math.max(...ms).toFixed(1),
        ]),
      );
    }
  } finally {
    for (const id of created)
      await fetch(`${api}/${id}?force=true`, { method: 'DELETE', headers: auth }).catch(() => undefined);
    await mgmt.stop();
    await db.destroy();
    await opensearch.indices.delete({ index }).catch(() => undefined);
    await opensearch.close();
    await server.raw(`DROP DATABASE IF EXISTS \`${dbName}\``);
    await server.destroy();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
