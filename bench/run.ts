import { Client } from '@opensearch-project/opensearch';
import { Kafka, logLevel, Producer } from 'kafkajs';
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import { findAppRoot } from '../server/common/paths';
import { measureCeiling } from './ceiling';
import { runIngestBench } from './ingest';
import { runProcessorsBench } from './processors';
import { freePort, processStats, startService, stopService, waitUntil } from './processes';
import { BENCH_MAPPINGS, makeInvalid, makeRecord } from './records';
import { percentile, printReport } from './report';

interface Options {
  quick: boolean;
  json: boolean;
  records: number;
  recordBytes: number;
  partitions: number;
  invalidShare: number;
  latencySeconds: number;
  /** Write a V8 CPU profile of the worker into bench/results/. */
  profile: boolean;
  /** Extra node flags for the worker, e.g. --max-old-space-size=192. */
  workerNodeArgs: string[];
}

/** The worker runs with the heap limit it ships with (npm run start:worker, the Helm chart) unless told otherwise. */
const SHIPPED_WORKER_NODE_ARGS = ['--max-old-space-size=192'];

function workerNodeArgs(argv: string[]): string[] {
  const given = argv
    .filter((a) => a.startsWith('--worker-node-arg='))
    .map((a) => a.slice('--worker-node-arg='.length));
  return given.length > 0 ? given : SHIPPED_WORKER_NODE_ARGS;
}

function parseArgs(argv: string[]): Options {
  const quick = argv.includes('--quick');
  const value = (name: string, def: number) => {
    const i = argv.indexOf(name);
    if (i < 0) return def;
    const n = Number(argv[i + 1]);
    if (!Number.isFinite(n) || n < 0) throw new Error(`${name} needs a non-negative number`);
    return n;
  };
  return {
    quick,
    json: argv.includes('--json'),
    records: value('--records', quick ? 100_000 : 500_000),
    recordBytes: value('--record-bytes', 1024),
    partitions: value('--partitions', 3),
    invalidShare: value('--invalid-share', 0.01),
    latencySeconds: value('--latency-seconds', quick ? 20 : 60),
    profile: argv.includes('--profile'),
    workerNodeArgs: workerNodeArgs(argv),
  };
}

const env = {
  mysql: process.env.SDP_MYSQL_URL ?? 'mysql://sdp:sdp@127.0.0.1:3306/sdp',
  brokers: (process.env.SDP_KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
  opensearch: process.env.SDP_OPENSEARCH_URL ?? 'http://127.0.0.1:9200',
};

async function produceAll(
  producer: Producer,
  topic: string,
  o: Options,
): Promise<{ valid: number; invalid: number }> {
  const every = o.invalidShare > 0 ? Math.round(1 / o.invalidShare) : 0;
  let valid = 0;
  let invalid = 0;
  const batch = 2000;
  for (let start = 0; start < o.records; start += batch) {
    const messages = [];
    for (let seq = start; seq < Math.min(o.records, start + batch); seq++) {
      const bad = every > 0 && seq % every === every - 1;
      if (bad) invalid++;
      else valid++;
      messages.push({
        key: String(seq),
        value: bad ? makeInvalid(seq) : JSON.stringify(makeRecord(seq, o.recordBytes)),
      });
    }
    await producer.send({ topic, acks: -1, messages });
  }
  return { valid, invalid };
}

async function countDocs(client: Client, index: string): Promise<number> {
  return (await client.count({ index })).body.count as number;
}

async function countErrors(
  kafka: Kafka,
  topic: string,
  expected: number,
  timeoutMs: number,
): Promise<number> {
  const seen = new Set<string>();
  const consumer = kafka.consumer({ groupId: `bench-errors-${Date.now()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const h = message.headers ?? {};
      seen.add(`${String(h['sdp-src-partition'])}/${String(h['sdp-src-offset'])}`);
    },
  });
  await waitUntil(async () => seen.size >= expected, timeoutMs, 'error records').catch(() => undefined);
  await consumer.disconnect();
  return seen.size;
}

async function main(): Promise<void> {
  if (process.argv.includes('--ingest')) return runIngestBench(process.argv.slice(2));
  // In-process micro-benchmark of the processors (issue 12); needs no services.
  if (process.argv.includes('--processors')) return runProcessorsBench(process.argv.slice(2));
  const o = parseArgs(process.argv.slice(2));
  const root = findAppRoot(__dirname);
  const client = new Client({ node: env.opensearch });
  const kafka = new Kafka({ clientId: 'sdp-bench', brokers: env.brokers, logLevel: logLevel.NOTHING });
  const osVersion = (await client.info()).body.version.number as string;
  const log = (m: string) => process.stderr.write(`bench: ${m}\n`);

  log(`generating ${o.records} records of ~${o.recordBytes} B`);
  const docs = Array.from({ length: Math.min(o.records, o.quick ? 100_000 : 300_000) }, (_, i) =>
    JSON.stringify(makeRecord(i, o.recordBytes)),
  );
  const createIndex = async (index: string) => {
    await client.indices.create({
      index,
      body: { settings: { number_of_shards: 1, number_of_replicas: 0 }, mappings: BENCH_MAPPINGS as never },
    });
  };
  log('measuring the OpenSearch ceiling');
  const settings = o.quick
    ? [
        { batchDocs: 2000, concurrency: 2 },
        { batchDocs: 5000, concurrency: 2 },
      ]
    : [
        { batchDocs: 1000, concurrency: 2 },
        { batchDocs: 2000, concurrency: 2 },
        { batchDocs: 5000, concurrency: 1 },
        { batchDocs: 5000, concurrency: 2 },
        { batchDocs: 5000, concurrency: 4 },
      ];
  const ceiling = await measureCeiling(client, env.opensearch, createIndex, docs, settings);

  const mgmtPort = await freePort();
  // The API needs a bearer token: the caller's SDP_ADMIN_TOKEN, else one made up for this run.
  const adminToken = process.env.SDP_ADMIN_TOKEN || `bench-${randomBytes(24).toString('hex')}`;
  const auth = { authorization: `Bearer ${adminToken}` };
  const mgmt = startService(root, 'pipeline-mgmt/main.js', {
    SDP_HTTP_PORT: String(mgmtPort),
    SDP_ADMIN_TOKEN: adminToken,
  });
  const api = `http://127.0.0.1:${mgmtPort}/api/v1`;
  await waitUntil(
    async () => (await fetch(`http://127.0.0.1:${mgmtPort}/ready`).catch(() => undefined))?.ok === true,
    60_000,
    'pipeline-mgmt',
  );
  const name = `bench-${Date.now().toString(36)}`;
  const created = await fetch(`${api}/pipelines`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth },
    body: JSON.stringify({
      name,
      index: name,
      partitions: o.partitions,
      createIndex: {
        settings: { number_of_shards: 1, number_of_replicas: 0 },
        mappings: BENCH_MAPPINGS as never,
      },
    }),
  });
  if (created.status !== 201)
    throw new Error(`pipeline create failed: ${created.status} ${await created.text()}`);
  const pipeline = (await created.json()) as {
    id: string;
    index: string;
    topics: { input: string; error: string };
  };

  const producer = kafka.producer({ idempotent: true, allowAutoTopicCreation: false });
  await producer.connect();
  log(`producing ${o.records} records to ${pipeline.topics.input}`);
  const { valid, invalid } = await produceAll(producer, pipeline.topics.input, o);

  log('starting one worker and draining');
  const profileArgs = o.profile ? ['--cpu-prof', `--cpu-prof-dir=${root}/bench/results`] : [];
  const worker = startService(root, 'pipeline-worker/main.js', { SDP_WORKER_PORT: '0' }, [
    ...profileArgs,
    ...o.workerNodeArgs,
  ]);
  const workerPid = worker.pid as number;
  const startedAt = Date.now();
  let firstDocAt = 0;
  let peakRss = 0;
  const sampler = setInterval(() => {
    try {
      peakRss = Math.max(peakRss, processStats(workerPid).peakRssMb);
    } catch {
      /* process gone */
    }
  }, 200);
  const cpuBefore = processStats(workerPid).cpuSec;
  await waitUntil(
    async () => {
      const n = await countDocs(client, pipeline.index);
      if (n > 0 && !firstDocAt) firstDocAt = Date.now();
      return n >= valid;
    },
    30 * 60_000,
    'all documents indexed',
    100,
  );
  const drainedAt = Date.now();
  const cpuDrain = processStats(workerPid).cpuSec - cpuBefore;
  await client.indices.refresh({ index: pipeline.index });
  const indexed = await countDocs(client, pipeline.index);
  const errors = await countErrors(kafka, pipeline.topics.error, invalid, 60_000);
  const drainSec = (drainedAt - firstDocAt) / 1000;
  const sdpDocsPerSec = valid / ((drainedAt - startedAt) / 1000);
  const steadyDocsPerSec = valid / Math.max(drainSec, 0.001);

  log(`latency at half load for ${o.latencySeconds}s`);
  const rate = Math.max(100, Math.round(steadyDocsPerSec / 2));
  const latencies = await measureLatency(client, producer, pipeline, o, rate);

  clearInterval(sampler);
  peakRss = Math.max(peakRss, processStats(workerPid).peakRssMb);
  await stopService(worker);
  await producer.disconnect();
  await fetch(`${api}/pipelines/${pipeline.id}?force=true`, { method: 'DELETE', headers: auth });
  await client.indices.delete({ index: pipeline.index }).catch(() => undefined);
  await stopService(mgmt);
  await client.close();

  const result = {
    sdp_docs_per_s: Math.round(sdpDocsPerSec),
    sdp_steady_docs_per_s: Math.round(steadyDocsPerSec),
    ceiling_docs_per_s: Math.round(ceiling.best.docsPerSec),
    ratio: Math.round((steadyDocsPerSec / ceiling.best.docsPerSec) * 1000) / 1000,
    p50_latency_ms: Math.round(percentile(latencies, 50)),
    p95_latency_ms: Math.round(percentile(latencies, 95)),
    p99_latency_ms: Math.round(percentile(latencies, 99)),
    latency_samples: latencies.length,
    latency_rate_docs_per_s: rate,
    worker_peak_rss_mb: Math.round(peakRss),
    worker_cpu_cores: Math.round((cpuDrain / ((drainedAt - startedAt) / 1000)) * 100) / 100,
    records: o.records,
    valid,
    invalid,
    indexed,
    error_records: errors,
    exact: indexed === valid && errors === invalid,
    record_bytes: o.recordBytes,
    partitions: o.partitions,
    ceiling_batch_docs: ceiling.best.batchDocs,
    ceiling_concurrency: ceiling.best.concurrency,
    env: {
      node: process.version,
      opensearch: osVersion,
      cores: os.cpus().length,
      mem_gb: Math.round(os.totalmem() / 2 ** 30),
    },
  };
  printReport(result, ceiling.all, o.json);
  if (!result.exact) process.exitCode = 2;
}

/** Produces at a steady rate; every 50th record is a probe whose first searchable moment is polled. */
async function measureLatency(
  client: Client,
  producer: Producer,
  pipeline: { index: string; topics: { input: string } },
  o: Options,
  rate: number,
): Promise<number[]> {
  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  let seq = 10_000_000;
  const tickMs = 50;
  const perTick = Math.max(1, Math.round((rate * tickMs) / 1000));
  const endAt = Date.now() + o.latencySeconds * 1000;
  let polling = true;
  const poller = (async () => {
    while (polling || sentAt.size > 0) {
      const pending = [...sentAt.keys()];
      if (pending.length > 0) {
        const res = await client.search({
          index: pipeline.index,
          body: { size: 1000, _source: ['seq'], query: { terms: { seq: pending.slice(0, 1000) } } },
        });
        const now = Date.now();
        for (const hit of res.body.hits.hits as Array<{ _source: { seq: number } }>) {
          const t = sentAt.get(hit._source.seq);
          if (t !== undefined) {
            latencies.push(now - t);
            sentAt.delete(hit._source.seq);
          }
        }
      }
      if (!polling && Date.now() > endAt + 60_000) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  while (Date.now() < endAt) {
    const tickStart = Date.now();
    const messages = [];
    for (let i = 0; i < perTick; i++, seq++) {
      const ts = Date.now();
      if (seq % 50 === 0) sentAt.set(seq, ts);
      messages.push({
        key: String(seq),
        value: JSON.stringify(makeRecord(seq, o.recordBytes)),
        timestamp: String(ts),
      });
    }
    await producer.send({ topic: pipeline.topics.input, acks: -1, messages });
    await new Promise((r) => setTimeout(r, Math.max(0, tickMs - (Date.now() - tickStart))));
  }
  polling = false;
  await poller;
  return latencies;
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
