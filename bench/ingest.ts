import { randomBytes } from 'node:crypto';
import { Client } from '@opensearch-project/opensearch';
import knexFactory from 'knex';
import { loadConfig } from '../server/common/config/load';
import { connectionFromUrl } from '../server/common/db/knex';
import { findAppRoot } from '../server/common/paths';
import { freePort, processStats, startService, stopService, waitUntil } from './processes';
import { makeRecord } from './records';
import { percentile } from './report';

/**
 * HTTP ingest benchmark (not a test; `npm run bench -- --ingest [--quick]`): pipeline-mgmt and one
 * pipeline-worker as processes on a scratch database, the real Kafka and OpenSearch.
 *  1. accept: concurrent callers post 1,000-record NDJSON bodies (~1 KB records) without wait;
 *     records/s accepted (Kafka has them all), mgmt CPU µs per record and peak RSS; then every
 *     record must be indexed (exactness).
 *  2. wait=indexed: one caller at a time posts 1,000 records and waits; the reply time against the
 *     worker's flush interval (the wait adds at most one interval plus the bulk time).
 */
interface IngestOptions {
  records: number;
  batch: number;
  callers: number;
  waits: number;
  flushIntervalSec: number;
}

function optionsOf(argv: string[]): IngestOptions {
  const quick = argv.includes('--quick');
  const value = (name: string, def: number) => {
    const i = argv.indexOf(name);
    const n = i < 0 ? def : Number(argv[i + 1]);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} needs a positive number`);
    return n;
  };
  return {
    records: value('--records', quick ? 50_000 : 200_000),
    batch: value('--ingest-batch', 1000),
    callers: value('--ingest-callers', 4),
    waits: value('--ingest-waits', quick ? 10 : 30),
    flushIntervalSec: value('--flush-interval-sec', 1),
  };
}

const log = (m: string) => process.stderr.write(`bench ingest: ${m}\n`);

export async function runIngestBench(argv: string[]): Promise<void> {
  const o = optionsOf(argv);
  const root = findAppRoot(__dirname);
  const base = loadConfig();
  const tag = randomBytes(4).toString('hex');
  const dbName = `sdp_bench_ingest_${tag}`;
  const server = knexFactory({
    client: 'mysql2',
    connection: { ...connectionFromUrl(base.mysql.url), database: undefined },
  });
  await server.raw(`CREATE DATABASE \`${dbName}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  const url = new URL(base.mysql.url);
  url.pathname = `/${dbName}`;
  const adminToken = `bench-${randomBytes(24).toString('hex')}`;
  const auth = { authorization: `Bearer ${adminToken}` };
  const port = await freePort();
  const common = {
    SDP_MYSQL_URL: url.toString(),
    SDP_KAFKA_BROKERS: base.kafkaBrokers.join(','),
    SDP_OPENSEARCH_URL: base.opensearch.url,
  };
  const mgmt = startService(root, 'pipeline-mgmt/main.js', {
    ...common,
    SDP_HTTP_PORT: String(port),
    SDP_ADMIN_TOKEN: adminToken,
    // The numbers are ingest's, not the per-token limiter's.
    SDP_SERVER_RATE_LIMIT_PER_SEC: '1000000',
    SDP_SERVER_RATE_LIMIT_BURST: '1000000',
  });
  const worker = startService(
    root,
    'pipeline-worker/main.js',
    {
      ...common,
      SDP_WORKER_PORT: String(await freePort()),
      SDP_SERVER_FLUSH_INTERVAL_SEC: String(o.flushIntervalSec),
    },
    ['--max-old-space-size=192'],
  );
  const api = `http://127.0.0.1:${port}`;
  const opensearch = new Client({ node: base.opensearch.url });
  const index = `bench-ingest-${tag}`;
  let pipelineId: string | undefined;
  try {
    await waitUntil(
      async () => (await fetch(`${api}/ready`).catch(() => null))?.status === 200,
      60_000,
      'mgmt ready',
    );
    const created = await fetch(`${api}/api/v1/pipelines`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify({
        name: `bench_ingest_${tag}`,
        index,
        partitions: 3,
        createIndex: { settings: { number_of_shards: 1, number_of_replicas: 0, refresh_interval: '1s' } },
      }),
    });
    if (created.status !== 201) throw new Error(`create pipeline: ${created.status} ${await created.text()}`);
    pipelineId = ((await created.json()) as { id: string }).id;
    const post = (body: Buffer, query = '') =>
      fetch(`${api}/api/v1/pipelines/${pipelineId}/records${query}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson', ...auth },
        body,
      });

    log(`building ${o.batch}-record NDJSON bodies of ~1 KB records`);
    const bodies = Array.from({ length: 8 }, (_, b) =>
      Buffer.from(
        Array.from({ length: o.batch }, (_, i) => JSON.stringify(makeRecord(b * o.batch + i, 1024))).join(
          '\n',
        ) + '\n',
      ),
    );
    // Warm-up: the producer connects, the topic metadata is read.
    if ((await post(bodies[0]!)).status !== 202) throw new Error('warm-up post refused');
    let sent = o.batch;

    log(`accept: ${o.records} records, ${o.callers} callers`);
    const before = processStats(mgmt.pid!);
    const started = process.hrtime.bigint();
    let next = 0;
    const posts = Math.ceil(o.records / o.batch);
    await Promise.all(
      Array.from({ length: o.callers }, async () => {
        while (next < posts) {
          const n = next++;
          const res = await post(bodies[n % bodies.length]!);
          if (res.status !== 202) throw new Error(`post ${n}: ${res.status} ${await res.text()}`);
          await res.arrayBuffer();
        }
      }),
    );
    const acceptSec = Number(process.hrtime.bigint() - started) / 1e9;
    const after = processStats(mgmt.pid!);
    const accepted = posts * o.batch;
    sent += accepted;

    log(`waiting for the worker to index all ${sent}`);
    await waitUntil(
      async () => {
        await opensearch.indices.refresh({ index });
        return Number((await opensearch.count({ index })).body.count) >= sent;
      },
      300_000,
      'every posted record indexed',
      1000,
    );
    const indexed = Number((await opensearch.count({ index })).body.count);

    log(`wait=indexed: ${o.waits} posts of ${o.batch}, one at a time`);
    const waitMs: number[] = [];
    let complete = 0;
    for (let i = 0; i < o.waits; i++) {
      const t0 = process.hrtime.bigint();
      const res = await post(bodies[i % bodies.length]!, '?wait=indexed&timeout=60000');
      const body = (await res.json()) as { results?: Array<{ status: string }> };
      waitMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (res.status === 200 && body.results?.every((r) => r.status === 'indexed')) complete++;
    }

    const figures = {
      bench: 'ingest',
      records: accepted,
      batch: o.batch,
      callers: o.callers,
      accepted_records_per_s: Math.round(accepted / acceptSec),
      mgmt_cpu_us_per_record: Number((((after.cpuSec - before.cpuSec) * 1e6) / accepted).toFixed(1)),
      mgmt_cpu_cores: Number(((after.cpuSec - before.cpuSec) / acceptSec).toFixed(2)),
      mgmt_peak_rss_mb: Math.round(after.peakRssMb),
      indexed_equals_posted: indexed === sent,
      wait_posts: o.waits,
      wait_complete: complete,
      wait_p50_ms: Math.round(percentile(waitMs, 50)),
      wait_p99_ms: Math.round(percentile(waitMs, 99)),
      wait_max_ms: Math.round(Math.max(...waitMs)),
      flush_interval_ms: o.flushIntervalSec * 1000,
    };
    console.log(
      [
        `accepted over HTTP: ${figures.accepted_records_per_s} records/s (${accepted} records in ${o.batch}-record NDJSON posts, ${o.callers} callers)`,
        `  pipeline-mgmt: ${figures.mgmt_cpu_us_per_record} µs CPU per record, ${figures.mgmt_cpu_cores} cores, peak RSS ${figures.mgmt_peak_rss_mb} MB`,
        `  indexed == posted: ${figures.indexed_equals_posted} (${indexed} of ${sent})`,
        `wait=indexed, ${o.batch} records per post: p50 ${figures.wait_p50_ms} ms, p99 ${figures.wait_p99_ms} ms, max ${figures.wait_max_ms} ms (flush interval ${figures.flush_interval_ms} ms); ${complete}/${o.waits} complete`,
      ].join('\n'),
    );
    console.log(JSON.stringify(figures));
    if (!figures.indexed_equals_posted || complete !== o.waits) process.exitCode = 1;
  } finally {
    if (pipelineId)
      await fetch(`${api}/api/v1/pipelines/${pipelineId}?force=true`, {
        method: 'DELETE',
        headers: auth,
      }).catch(() => undefined);
    await stopService(worker);
    await stopService(mgmt);
    await opensearch.indices.delete({ index }).catch(() => undefined);
    await opensearch.close();
    await server.raw(`DROP DATABASE IF EXISTS \`${dbName}\``);
    await server.destroy();
  }
}
