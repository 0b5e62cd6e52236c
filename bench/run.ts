import { Client } from '@opensearch-project/opensearch';
import { Kafka, logLevel, Message, Producer } from 'kafkajs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { findAppRoot } from '../server/common/paths';
import { measureCeiling } from './ceiling';
import { runIngestBench } from './ingest';
import { runProcessorsBench } from './processors';
import { freePort, indexedSoFar, processStats, startService, stopService, waitUntil } from './processes';
import { PeerResult, runRsyslogPeer } from './peerRsyslog';
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
  /** One phase each, in this order. */
  phases: PhaseSpec[];
  /** A checkout of another version with its dist/ built: the worker of `base-` phases. */
  baselineRoot: string | null;
  /** A reference drainer run on the first phase's input topic. */
  peer: 'rsyslog' | null;
  /** Minutes at half load with RSS and heap printed every minute (0 = the short latency phase). */
  soakMinutes: number;
}

/** The worker runs with the heap limit it ships with (npm run start:worker, the Helm chart) unless told otherwise. */
const SHIPPED_WORKER_NODE_ARGS = ['--max-old-space-size=192'];

function workerNodeArgs(argv: string[]): string[] {
  const given = argv
    .filter((a) => a.startsWith('--worker-node-arg='))
    .map((a) => a.slice('--worker-node-arg='.length));
  return given.length > 0 ? given : SHIPPED_WORKER_NODE_ARGS;
}

/** What one phase runs: the output topic on or off, the worker's producer client, whose worker. */
interface PhaseSpec {
  output: boolean;
  /** kafka.producerClient of the worker; absent = its default. */
  producer?: 'kafkajs' | 'platformatic';
  /** The worker of `--baseline-root` instead of this checkout's. */
  baseline: boolean;
  /** How the phase is named in the report: output_on, output_on_kafkajs, base_output_off, ... */
  name: string;
}

const PHASE_TOKEN = /^(base-)?(on|off)(?:-(kafkajs|platformatic))?$/;

/**
 * `--phases on,off` (the default: output topic on, then off); a token may name the worker's producer
 * client (`on-kafkajs`, `on-platformatic`) and a `base-` prefix runs the `--baseline-root` worker
 * (`base-on`). `--no-output` is `--phases off`.
 */
function phasesOf(argv: string[]): PhaseSpec[] {
  const i = argv.indexOf('--phases');
  const tokens = argv.includes('--no-output')
    ? ['off']
    : i < 0
      ? ['on', 'off']
      : (argv[i + 1] ?? '').split(',');
  return tokens.map((token) => {
    const m = PHASE_TOKEN.exec(token);
    if (!m)
      throw new Error(
        `--phases: "${token}" is not [base-](on|off)[-kafkajs|-platformatic], e.g. on,off,on-kafkajs,base-on`,
      );
    const producer = m[3] as PhaseSpec['producer'];
    return {
      output: m[2] === 'on',
      ...(producer ? { producer } : {}),
      baseline: m[1] !== undefined,
      name: `${m[1] ? 'base_' : ''}output_${m[2]}${producer ? `_${producer}` : ''}`,
    };
  });
}

function peerOf(argv: string[]): 'rsyslog' | null {
  const i = argv.indexOf('--peer');
  if (i < 0) return null;
  if (argv[i + 1] !== 'rsyslog') throw new Error('--peer takes rsyslog');
  return 'rsyslog';
}

function stringValue(argv: string[], name: string): string | null {
  const i = argv.indexOf(name);
  if (i < 0) return null;
  const v = argv[i + 1];
  if (!v || v.startsWith('--')) throw new Error(`${name} needs a value`);
  return v;
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
    phases: phasesOf(argv),
    baselineRoot: stringValue(argv, '--baseline-root'),
    peer: peerOf(argv),
    soakMinutes: argv.includes('--soak') ? value('--soak-minutes', 30) : 0,
  };
}

const env = {
  mysql: process.env.SDP_MYSQL_URL ?? 'mysql://sdp:sdp@127.0.0.1:3306/sdp',
  brokers: (process.env.SDP_KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
  opensearch: process.env.SDP_OPENSEARCH_URL ?? 'http://127.0.0.1:9200',
};

/** A topic just created may answer "does not host this topic-partition" for a moment: retried. */
async function sendRetrying(producer: Producer, topic: string, messages: Message[]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await producer.send({ topic, acks: -1, messages });
      return;
    } catch (e) {
      if (attempt >= 20) throw e;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

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
    const messages: Message[] = [];
    for (let seq = start; seq < Math.min(o.records, start + batch); seq++) {
      const bad = every > 0 && seq % every === every - 1;
      if (bad) invalid++;
      else valid++;
      messages.push({
        key: String(seq),
        value: bad ? makeInvalid(seq) : JSON.stringify(makeRecord(seq, o.recordBytes)),
      });
    }
    await sendRetrying(producer, topic, messages);
  }
  return { valid, invalid };
}

/** Records a topic holds: its partitions' end offsets minus their start offsets. */
async function topicRecords(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
  } finally {
    await admin.disconnect();
  }
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

interface PhaseResult {
  phase: string;
  /** The worker's producer client when the phase chose one. */
  producer_client?: string;
  sdp_docs_per_s: number;
  sdp_steady_docs_per_s: number;
  ratio: number;
  worker_cpu_cores: number;
  cpu_us_per_doc: number;
  worker_cpu_sec: number;
  worker_peak_rss_mb: number;
  /** From the worker's /metrics: bulk requests, their mean time, how many were in flight on average, mean flush time. */
  bulk_requests?: number;
  bulk_mean_ms?: number;
  bulk_in_flight_avg?: number;
  flush_mean_ms?: number;
  valid: number;
  invalid: number;
  indexed: number;
  error_records: number;
  /** Output on: records on the output topic (at least `valid`; more only if a produce was retried). */
  output_records?: number;
  exact: boolean;
  p50_latency_ms?: number;
  p95_latency_ms?: number;
  p99_latency_ms?: number;
  latency_samples?: number;
  latency_rate_docs_per_s?: number;
  soak?: SoakSample[];
  peer?: PeerResult;
}

interface SoakSample {
  minute: number;
  rss_mb: number;
  heap_used_mb: number;
  heap_total_mb: number;
}

interface Run {
  o: Options;
  root: string;
  client: Client;
  kafka: Kafka;
  api: string;
  auth: Record<string, string>;
  ceilingDocsPerSec: number;
  createIndex: (index: string) => Promise<void>;
  log: (m: string) => void;
}

/** The sum of every series of a metric in a Prometheus text exposition (all its label sets). */
function metricSum(text: string, name: string): number {
  let sum = 0;
  for (const m of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))) sum += Number(m[1]);
  return sum;
}

/** What the worker's bulk requests and flushes took, from its /metrics, since it started. */
async function workerFlushStats(port: number, drainSec: number) {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const bulkSec = metricSum(text, 'sdp_worker_bulk_duration_seconds_sum');
  const bulks = metricSum(text, 'sdp_worker_bulk_duration_seconds_count');
  const flushSec = metricSum(text, 'sdp_worker_flush_duration_seconds_sum');
  const flushes = metricSum(text, 'sdp_worker_flush_duration_seconds_count');
  const round = (v: number) => Math.round(v * 100) / 100;
  return {
    bulk_requests: bulks,
    bulk_mean_ms: Math.round((bulkSec * 1000) / Math.max(1, bulks)),
    // Bulk requests in flight on average while draining (at most MAX_BULK_IN_FLIGHT, 2): near 2,
    // OpenSearch is the limit; well under, the worker (or Kafka) leaves it waiting.
    bulk_in_flight_avg: round(bulkSec / drainSec),
    flush_mean_ms: Math.round((flushSec * 1000) / Math.max(1, flushes)),
  };
}

/** The worker's V8 heap, read from its /metrics (prom-client's default metrics). */
async function workerHeap(port: number): Promise<{ used: number; total: number }> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const metric = (name: string) => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? NaN);
  return {
    used: metric('sdp_worker_nodejs_heap_size_used_bytes') / 2 ** 20,
    total: metric('sdp_worker_nodejs_heap_size_total_bytes') / 2 ** 20,
  };
}

/**
 * One phase: a fresh pipeline (output topic on or off), all records produced to its input topic,
 * then one fresh worker drains them; optionally the latency (or soak) phase at half load and the
 * peer drainer on the same topic.
 */
async function runPhase(
  run: Run,
  spec: PhaseSpec,
  withLatency: boolean,
  withPeer: boolean,
): Promise<PhaseResult> {
  const { o, client, kafka, api, auth, log } = run;
  const { output, name: phase } = spec;
  const workerRoot = spec.baseline ? o.baselineRoot : run.root;
  if (!workerRoot) throw new Error(`--phases ${phase}: a base- phase needs --baseline-root DIR`);
  const name = `bench-${Date.now().toString(36)}`;
  const created = await fetch(`${api}/pipelines`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth },
    body: JSON.stringify({
      name,
      index: name,
      partitions: o.partitions,
      outputEnabled: output,
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
    topics: { input: string; error: string; output?: string };
  };
  // A producer per phase: kafkajs keeps refreshing the metadata of a deleted topic it wrote to.
  const producer = kafka.producer({ idempotent: true, allowAutoTopicCreation: false });
  await producer.connect();
  try {
    log(`[${phase}] producing ${o.records} records to ${pipeline.topics.input}`);
    const { valid, invalid } = await produceAll(producer, pipeline.topics.input, o);

    // The peer drains the same records first, alone: the sdp worker starts after it is done.
    let peerResult: PeerResult | undefined;
    if (withPeer && o.peer === 'rsyslog') {
      log(`[${phase}] rsyslog draining the same input topic into its own index`);
      peerResult = await runRsyslogPeer({
        client,
        brokers: env.brokers,
        opensearchUrl: env.opensearch,
        topic: pipeline.topics.input,
        index: `${pipeline.index}-rsyslog`,
        createIndex: run.createIndex,
        valid,
        workDir: path.join(run.root, 'bench', 'results', `rsyslog-${Date.now()}`),
        timeoutMs: 30 * 60_000,
      });
      log(`[${phase}] rsyslog: ${JSON.stringify(peerResult)}`);
    }
    log(`[${phase}] starting one worker and draining`);
    const profileArgs = o.profile
      ? [
          '--cpu-prof',
          `--cpu-prof-dir=${run.root}/bench/results`,
          `--cpu-prof-name=CPU.${Date.now()}.${phase}.cpuprofile`,
        ]
      : [];
    const workerPort = await freePort();
    const worker = startService(
      workerRoot,
      'pipeline-worker/main.js',
      {
        SDP_WORKER_PORT: String(workerPort),
        ...(spec.producer ? { SDP_KAFKA_PRODUCER_CLIENT: spec.producer } : {}),
      },
      [...profileArgs, ...o.workerNodeArgs],
    );
    const workerPid = worker.pid as number;
    try {
      const startedAt = Date.now();
      let firstDocAt = 0;
      let cpuAtFirst = 0;
      let countAtFirst = 0;
      let peakRss = 0;
      const sampler = setInterval(() => {
        try {
          peakRss = Math.max(peakRss, processStats(workerPid).peakRssMb);
        } catch {
          /* process gone */
        }
      }, 200);
      try {
        await waitUntil(
          async () => {
            const n = await indexedSoFar(client, pipeline.index);
            if (n > 0 && !firstDocAt) {
              firstDocAt = Date.now();
              cpuAtFirst = processStats(workerPid).cpuSec;
              countAtFirst = n;
            }
            return n >= valid;
          },
          30 * 60_000,
          'all documents indexed',
          100,
        );
        const drainedAt = Date.now();
        const cpuEnd = processStats(workerPid).cpuSec;
        peakRss = Math.max(peakRss, processStats(workerPid).peakRssMb);
        // The indexing stats may run ahead of what is searchable: wait (bounded) for the count too.
        await waitUntil(
          async () => {
            await client.indices.refresh({ index: pipeline.index });
            return (await countDocs(client, pipeline.index)) >= valid;
          },
          30_000,
          'the count to catch up',
        ).catch(() => undefined);
        const flushStats = await workerFlushStats(workerPort, (drainedAt - firstDocAt) / 1000).catch(
          () => ({}),
        );
        const indexed = await countDocs(client, pipeline.index);
        const errors = await countErrors(kafka, pipeline.topics.error, invalid, 60_000);
        // Output on: every indexed document must be on the output topic too (a lost produce shows here).
        const outputRecords =
          output && pipeline.topics.output ? await topicRecords(kafka, pipeline.topics.output) : undefined;
        const drainSec = Math.max((drainedAt - firstDocAt) / 1000, 0.001);
        const steady = valid / drainSec;
        const steadyCpu = cpuEnd - cpuAtFirst;
        const result: PhaseResult = {
          phase,
          ...(spec.producer ? { producer_client: spec.producer } : {}),
          sdp_docs_per_s: Math.round(valid / ((drainedAt - startedAt) / 1000)),
          sdp_steady_docs_per_s: Math.round(steady),
          ratio: Math.round((steady / run.ceilingDocsPerSec) * 1000) / 1000,
          worker_cpu_cores: Math.round((steadyCpu / drainSec) * 100) / 100,
          cpu_us_per_doc: Math.round((steadyCpu * 1e6) / Math.max(1, valid - countAtFirst)),
          worker_cpu_sec: Math.round(cpuEnd * 100) / 100,
          worker_peak_rss_mb: Math.round(peakRss),
          ...flushStats,
          valid,
          invalid,
          indexed,
          error_records: errors,
          ...(outputRecords !== undefined ? { output_records: outputRecords } : {}),
          exact:
            indexed === valid &&
            errors === invalid &&
            (outputRecords === undefined || outputRecords >= valid),
          ...(peerResult ? { peer: peerResult } : {}),
        };
        log(
          `[${phase}] ${result.sdp_steady_docs_per_s} docs/s, ${result.cpu_us_per_doc} us/doc, ` +
            `${result.worker_peak_rss_mb} MB, exact ${result.exact}`,
        );
        if (withLatency) {
          const seconds = o.soakMinutes > 0 ? o.soakMinutes * 60 : o.latencySeconds;
          log(`[${phase}] ${o.soakMinutes > 0 ? 'soak' : 'latency'} at half load for ${seconds}s`);
          const rate = Math.max(100, Math.round(steady / 2));
          const soak: SoakSample[] = [];
          const soakStart = Date.now();
          const soakTimer =
            o.soakMinutes > 0
              ? setInterval(() => {
                  void workerHeap(workerPort)
                    .then((heap) => {
                      const s = {
                        minute: Math.round((Date.now() - soakStart) / 60_000),
                        rss_mb: Math.round(processStats(workerPid).rssMb),
                        heap_used_mb: Math.round(heap.used),
                        heap_total_mb: Math.round(heap.total),
                      };
                      soak.push(s);
                      log(
                        `[soak] minute ${s.minute}: RSS ${s.rss_mb} MB, heap ${s.heap_used_mb} / ${s.heap_total_mb} MB`,
                      );
                    })
                    .catch(() => undefined);
                }, 60_000)
              : undefined;
          const latencies = await measureLatency(client, producer, pipeline, o, rate, seconds);
          if (soakTimer) clearInterval(soakTimer);
          Object.assign(result, {
            p50_latency_ms: Math.round(percentile(latencies, 50)),
            p95_latency_ms: Math.round(percentile(latencies, 95)),
            p99_latency_ms: Math.round(percentile(latencies, 99)),
            latency_samples: latencies.length,
            latency_rate_docs_per_s: rate,
            ...(o.soakMinutes > 0 ? { soak } : {}),
          });
          peakRss = Math.max(peakRss, processStats(workerPid).peakRssMb);
        }
        result.worker_peak_rss_mb = Math.round(peakRss);
        return result;
      } finally {
        clearInterval(sampler);
      }
    } finally {
      await stopService(worker);
    }
  } finally {
    await producer.disconnect().catch(() => undefined);
    await fetch(`${api}/pipelines/${pipeline.id}?force=true`, { method: 'DELETE', headers: auth });
    await client.indices.delete({ index: pipeline.index }).catch(() => undefined);
  }
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
  const phases: PhaseResult[] = [];
  try {
    await waitUntil(
      async () => (await fetch(`http://127.0.0.1:${mgmtPort}/ready`).catch(() => undefined))?.ok === true,
      60_000,
      'pipeline-mgmt',
    );
    const run: Run = {
      o,
      root,
      client,
      kafka,
      api,
      auth,
      ceilingDocsPerSec: ceiling.best.docsPerSec,
      createIndex,
      log,
    };
    // The first phase is the headline (output on, the default, unless --no-output); latency, soak and
    // the peer run with it.
    for (const [i, spec] of o.phases.entries()) phases.push(await runPhase(run, spec, i === 0, i === 0));
  } finally {
    await stopService(mgmt);
    await client.close();
  }

  const { peer, ...head } = phases[0]!;
  const result = {
    ...head,
    ceiling_docs_per_s: Math.round(ceiling.best.docsPerSec),
    ...(peer
      ? {
          peer: peer.peer,
          peer_docs_per_s: peer.docs_per_s,
          peer_cpu_us_per_doc: peer.cpu_us_per_doc,
          peer_peak_rss_mb: peer.peak_rss_mb,
          peer_indexed: peer.indexed,
        }
      : {}),
    phases,
    records: o.records,
    exact: phases.every((p) => p.exact),
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
  printReport(result, phases as unknown as Array<Record<string, unknown>>, ceiling.all, o.json);
  if (!result.exact) process.exitCode = 2;
}

/** Produces at a steady rate; every 50th record is a probe whose first searchable moment is polled. */
async function measureLatency(
  client: Client,
  producer: Producer,
  pipeline: { index: string; topics: { input: string } },
  o: Options,
  rate: number,
  seconds: number,
): Promise<number[]> {
  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  let seq = 10_000_000;
  const tickMs = 50;
  const perTick = Math.max(1, Math.round((rate * tickMs) / 1000));
  const endAt = Date.now() + seconds * 1000;
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
