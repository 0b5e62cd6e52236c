import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Producer } from 'kafkajs';
import { findAppRoot } from '../../server/common/paths';
import type { Pipeline } from '../../server/common/pipelines';
import { ERROR_HEADERS } from '../../server/pipeline-worker/logics/envelopes';
import { startMgmt } from '../../server/pipeline-mgmt/main';
import { requireStackServices } from '../containers/serviceContainers';
import { goodRecord } from '../fixtures/worker-records';
import { testConfig, testLogger } from './index';
import { scrape, sumOf } from './metrics';
import { readTopic, topicSize, WorkerEnv } from './worker-env';

/**
 * Real process faults for the worker suites: SIGKILL of the local MariaDB, Kafka or OpenSearch through
 * `scripts/stack.sh kill`, and their restart with `stack.sh start`; a producer that rides out a broker
 * outage; a sampler of the tasks' states; and the exactness proof (index and error topic against what
 * the input topic holds). The services are shared: whoever kills one restarts it in a `finally`.
 */

export type ServiceName = 'mariadb' | 'kafka' | 'opensearch';

const STACK_SCRIPT = path.join(findAppRoot(), 'scripts', 'stack.sh');

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs `bash scripts/stack.sh ARGS` (SDP_STACK_DIR from the environment); resolves with its stdout. */
export function stackScript(args: string[], timeoutMs = 300_000): Promise<string> {
  requireStackServices(`stack.sh ${args.join(' ')}`);
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      [STACK_SCRIPT, ...args],
      { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) {
          const tail = stderr.split('\n').slice(-15).join('\n');
          reject(new Error(`stack.sh ${args.join(' ')} failed (${err.message}):\n${tail}`));
        } else resolve(stdout);
      },
    );
  });
}

/** SIGKILL of one service the stack script started; resolves once its process is gone. */
export async function killService(name: ServiceName): Promise<void> {
  await stackScript(['kill', name]);
}

/** `stack.sh start`: starts whatever does not answer and waits until all three answer (ms taken). */
export async function startServices(): Promise<number> {
  const t0 = Date.now();
  await stackScript(['start']);
  return Date.now() - t0;
}

/** `stack.sh status`, one entry per service: whether it answers. */
export async function servicesUp(): Promise<Record<ServiceName, boolean>> {
  const out = await stackScript(['status'], 60_000);
  const up = (name: ServiceName) => new RegExp(`^${name}\\s+up\\s`, 'm').test(out);
  return { mariadb: up('mariadb'), kafka: up('kafka'), opensearch: up('opensearch') };
}

// ---------------------------------------------------------------------------------------------

export interface SteadyProducer {
  /** Stops producing after the send in progress; resolves when the loop ended. */
  stop(): Promise<void>;
  stats(): {
    /** Records whose send was acknowledged (acks -1). */
    ackedValid: number;
    ackedInvalid: number;
    /** Sends that failed and were made again (their records may be in the topic twice). */
    resends: number;
    /** Longest time one chunk took to be acknowledged (ms): how long the producer rode out an outage. */
    longestSendMs: number;
  };
  /** Keys of the acknowledged records. */
  ackedKeys(): Set<string>;
}

/** The value of invalid record `seq`: not JSON, or JSON that is not an object, in turn. */
export function invalidValue(seq: number): string {
  const kinds = [`not json ${seq}`, `[${seq}]`, `${seq}`, `"s${seq}"`, `{"seq": ${seq}, broken`];
  return kinds[Math.floor(seq / INVALID_EVERY) % kinds.length]!;
}
/** One record in this many is invalid (2 %: below the observed status' 5 % error-rate threshold). */
export const INVALID_EVERY = 50;
export const isInvalidKey = (key: string | null) => key?.startsWith('bad-') ?? false;

/**
 * Produces `perTick` records every `tickMs` to `topic` until stopped: valid ones keyed `<seq>`,
 * every INVALID_EVERY-th invalid keyed `bad-<seq>`. Its own producer retries for about a minute
 * within one send (same sequence numbers, so an idempotent resend is not a duplicate); a send that
 * fails anyway is made again with a fresh producer.
 */
export function steadyProducer(
  env: WorkerEnv,
  topic: string,
  { perTick = 100, tickMs = 100 } = {},
): SteadyProducer {
  const acked = new Set<string>();
  const stats = { ackedValid: 0, ackedInvalid: 0, resends: 0, longestSendMs: 0 };
  let stopping = false;
  const make = async () => {
    const p = env.kafka.producer({
      allowAutoTopicCreation: false,
      idempotent: true,
      retry: { retries: 40, initialRetryTime: 300, maxRetryTime: 2000 },
    });
    await p.connect();
    return p;
  };
  const loop = (async () => {
    let producer: Producer | null = null;
    for (let seq = 0; !stopping;) {
      const messages = Array.from({ length: perTick }, (_, i) => {
        const s = seq + i;
        return s % INVALID_EVERY === INVALID_EVERY - 1
          ? { key: `bad-${s}`, value: invalidValue(s) }
          : { key: String(s), value: goodRecord(s) };
      });
      const t0 = Date.now();
      let sent = false;
      for (let attempt = 0; !sent && !(stopping && attempt > 0); attempt++) {
        try {
          producer ??= await make();
          await producer.send({ topic, acks: -1, messages });
          sent = true;
        } catch {
          stats.resends++;
          await producer?.disconnect().catch(() => undefined);
          producer = null;
          await sleep(500);
        }
      }
      if (!sent) break; // stopped while the broker was still away: these were never acknowledged
      stats.longestSendMs = Math.max(stats.longestSendMs, Date.now() - t0);
      for (const m of messages) {
        acked.add(m.key);
        if (isInvalidKey(m.key)) stats.ackedInvalid++;
        else stats.ackedValid++;
      }
      seq += perTick;
      await sleep(tickMs);
    }
    await producer?.disconnect().catch(() => undefined);
  })();
  return {
    stop: async () => {
      stopping = true;
      await loop;
    },
    stats: () => ({ ...stats }),
    ackedKeys: () => acked,
  };
}

// ---------------------------------------------------------------------------------------------

/** What the input topic holds, read back whole: the ground truth of the proof. */
export interface InputTruth {
  /** `_id`s the valid records must have (`<topic>-<partition>-<offset>`). */
  validIds: Set<string>;
  /** `<topic>/<partition>/<offset>` of the invalid records. */
  invalidSources: Set<string>;
  /** Keys present more than once (a producer resend). */
  duplicateKeys: number;
  keys: Set<string>;
}

export async function readInputTruth(env: WorkerEnv, topic: string): Promise<InputTruth> {
  const size = await topicSize(env, topic);
  const records = size === 0 ? [] : await readTopic(env, topic, size, 120_000);
  const truth: InputTruth = {
    validIds: new Set(),
    invalidSources: new Set(),
    duplicateKeys: 0,
    keys: new Set(),
  };
  for (const r of records) {
    if (truth.keys.has(r.key ?? '')) truth.duplicateKeys++;
    truth.keys.add(r.key ?? '');
    if (isInvalidKey(r.key)) truth.invalidSources.add(`${topic}/${r.partition}/${r.offset}`);
    else truth.validIds.add(`${topic}-${r.partition}-${r.offset}`);
  }
  return truth;
}

/** Every `_id` in the index (a scroll), with how many hits came back in all. */
export async function indexedIds(env: WorkerEnv, index: string): Promise<{ ids: Set<string>; hits: number }> {
  await env.os.indices.refresh({ index });
  const ids = new Set<string>();
  let hits = 0;
  let res = await env.os.search({
    index,
    scroll: '30s',
    body: { size: 10_000, _source: false, sort: ['_doc'], query: { match_all: {} } } as Record<
      string,
      unknown
    >,
  });
  for (;;) {
    const page = res.body.hits.hits as Array<{ _id: string }>;
    if (page.length === 0) break;
    hits += page.length;
    for (const h of page) ids.add(h._id);
    res = await env.os.scroll({ body: { scroll_id: res.body._scroll_id!, scroll: '30s' } });
  }
  await env.os.clearScroll({ body: { scroll_id: res.body._scroll_id! } }).catch(() => undefined);
  return { ids, hits };
}

/** Source coordinates of the error topic's records (`<topic>/<partition>/<offset>` from the headers). */
export async function errorSources(
  env: WorkerEnv,
  topic: string,
): Promise<{ raw: number; sources: string[] }> {
  const raw = await topicSize(env, topic);
  const records = raw === 0 ? [] : await readTopic(env, topic, raw, 60_000);
  const sources = records.map(
    (r) =>
      `${r.headers[ERROR_HEADERS.srcTopic]}/${r.headers[ERROR_HEADERS.srcPartition]}/${r.headers[ERROR_HEADERS.srcOffset]}`,
  );
  return { raw, sources };
}

const firstFew = (s: Iterable<string>, n = 5) => [...s].slice(0, n);
const minus = (a: Set<string>, b: Set<string>) => [...a].filter((x) => !b.has(x));

/** Index and error topic against the input topic; every list empty and `docs === valid` means exact. */
export interface ExactnessReport {
  valid: number;
  invalid: number;
  docs: number;
  missingDocs: number;
  extraDocs: number;
  errorRaw: number;
  errorDistinct: number;
  /** Invalid records with no error record. */
  errorMissing: number;
  /** Error records whose source is not an invalid record (a valid one, or unknown). */
  errorUnexpected: number;
  /** Acknowledged sends whose key is not in the input topic (Kafka lost an acked write). */
  ackedLost: number;
  inputDuplicates: number;
  examples: { missingDocs: string[]; extraDocs: string[]; errorMissing: string[]; errorUnexpected: string[] };
}

export async function exactness(
  env: WorkerEnv,
  p: Pipeline,
  truth: InputTruth,
  acked: Set<string>,
): Promise<ExactnessReport> {
  const { ids, hits } = await indexedIds(env, p.index);
  const errors = await errorSources(env, p.topics.error);
  const errorSet = new Set(errors.sources);
  const missingDocs = minus(truth.validIds, ids);
  const extraDocs = minus(ids, truth.validIds);
  const errorMissing = minus(truth.invalidSources, errorSet);
  const errorUnexpected = minus(errorSet, truth.invalidSources);
  return {
    valid: truth.validIds.size,
    invalid: truth.invalidSources.size,
    docs: hits,
    missingDocs: missingDocs.length,
    extraDocs: extraDocs.length,
    errorRaw: errors.raw,
    errorDistinct: errorSet.size,
    errorMissing: errorMissing.length,
    errorUnexpected: errorUnexpected.length,
    ackedLost: minus(acked, truth.keys).length,
    inputDuplicates: truth.duplicateKeys,
    examples: {
      missingDocs: firstFew(missingDocs),
      extraDocs: firstFew(extraDocs),
      errorMissing: firstFew(errorMissing),
      errorUnexpected: firstFew(errorUnexpected),
    },
  };
}

// ---------------------------------------------------------------------------------------------

/** pipeline-mgmt in this process on the suite's database: the pipeline's observed status by its API. */
export interface ObservedReader {
  /** `observed.status` (and reason) of GET /api/v1/pipelines/{id}; throws when mgmt cannot answer. */
  observed(id: string): Promise<{ status: string; reason: string | null }>;
  stop(): Promise<void>;
}

export async function startObservedReader(env: WorkerEnv): Promise<ObservedReader> {
  const token = `faults-admin-${randomBytes(16).toString('hex')}`;
  const config = testConfig({
    SDP_MYSQL_URL: env.tdb.url,
    SDP_HTTP_PORT: '0',
    SDP_ADMIN_TOKEN: token,
    SDP_SERVER_RATE_LIMIT_PER_SEC: '100000',
    SDP_SERVER_RATE_LIMIT_BURST: '100000',
  });
  const mgmt = await startMgmt({ config, logger: testLogger('mgmt') });
  const base = `http://127.0.0.1:${mgmt.port}`;
  return {
    async observed(id) {
      const res = await fetch(`${base}/api/v1/pipelines/${id}`, {
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(2000),
      });
      if (res.status !== 200) throw new Error(`GET pipeline: ${res.status}`);
      const body = (await res.json()) as { observed: { status: string; reason: string | null } };
      return body.observed;
    },
    stop: () => mgmt.stop(),
  };
}

// ---------------------------------------------------------------------------------------------

/** One second of what the tasks looked like, from each source that answered. */
export interface TaskSample {
  /** ms since the sampler started. */
  t: number;
  /** `pipeline_tasks` rows (null: MariaDB did not answer). */
  rows: Array<{ worker: string; state: string; failures: number; partitions: string }> | null;
  /** Each live worker's /metrics: its task's state and restarts (null entries: no answer). */
  workers: Array<{ name: string; state: string | null; restarts: number } | null>;
  /** Observed status by pipeline-mgmt's API (null: no answer). */
  observed: string | null;
  mark?: string;
}

export interface TaskSampler {
  readonly samples: TaskSample[];
  /** Adds a note to the next sample (e.g. 'kafka killed'). */
  mark(note: string): void;
  /** Samples in which some task was `failed` (by its row or its worker's /metrics) or restarted. */
  failed(): TaskSample[];
  /** The samples where anything changed, one line each, for the log. */
  timeline(): string;
  stop(): Promise<void>;
}

const TASK_STATES = ['starting', 'running', 'failed', 'stopping', 'stopped'];

/** Probes that do not answer within `ms` count as no answer (a dead MariaDB can hang a pool). */
async function within<T>(ms: number, fn: () => Promise<T>): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      fn(),
      new Promise<null>((r) => {
        timer = setTimeout(() => r(null), ms);
      }),
    ]);
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Samples the pipeline's tasks every `intervalMs`: rows, each worker's /metrics, the observed status.
 * `workers()` gives the names and HTTP ports of the workers alive at that moment.
 */
export function startTaskSampler({
  env,
  pipelineId,
  workers,
  observed,
  intervalMs = 1000,
}: {
  env: WorkerEnv;
  pipelineId: string;
  workers: () => Array<{ name: string; port: number }>;
  observed: ObservedReader;
  intervalMs?: number;
}): TaskSampler {
  const samples: TaskSample[] = [];
  const t0 = Date.now();
  let note: string | undefined;
  let stopping = false;
  const probeWorker = async ({ name, port }: { name: string; port: number }) => {
    const m = await scrape(`http://127.0.0.1:${port}/metrics`);
    const match = { pipeline: pipelineId };
    const state = TASK_STATES.find((s) => sumOf(m, 'sdp_worker_task_state', { ...match, state: s }) === 1);
    return { name, state: state ?? null, restarts: sumOf(m, 'sdp_worker_task_restarts_total', match) };
  };
  const loop = (async () => {
    while (!stopping) {
      const started = Date.now();
      const [rows, ws, obs] = await Promise.all([
        within(intervalMs - 100, async () =>
          (
            await env
              .db('pipeline_tasks')
              .where({ pipeline_id: pipelineId })
              .select('worker_id', 'state', 'consecutive_failures', 'assigned_partitions')
          ).map((r: Record<string, unknown>) => ({
            worker: String(r.worker_id).slice(-6),
            state: String(r.state),
            failures: Number(r.consecutive_failures),
            partitions: String(r.assigned_partitions),
          })),
        ),
        Promise.all(workers().map((w) => within(intervalMs - 100, () => probeWorker(w)))),
        within(intervalMs - 100, async () => (await observed.observed(pipelineId)).status),
      ]);
      samples.push({ t: started - t0, rows, workers: ws, observed: obs, ...(note ? { mark: note } : {}) });
      note = undefined;
      await sleep(Math.max(0, intervalMs - (Date.now() - started)));
    }
  })();
  const key = (s: TaskSample) =>
    JSON.stringify([s.rows?.map((r) => [r.state, r.failures > 0, r.partitions]), s.workers, s.observed]);
  return {
    samples,
    mark: (n) => {
      note = note ? `${note}; ${n}` : n;
    },
    failed: () =>
      samples.filter(
        (s) =>
          s.rows?.some((r) => r.state === 'failed') ||
          s.workers.some((w) => w?.state === 'failed' || (w?.restarts ?? 0) > 0),
      ),
    timeline: () => {
      const lines: string[] = [];
      let last = '';
      for (const s of samples) {
        const k = key(s);
        if (k === last && !s.mark) continue;
        last = k;
        const rows = s.rows
          ? s.rows.map((r) => `${r.worker}:${r.state}/f${r.failures}/${r.partitions}`).join(' ')
          : 'db?';
        const ws = s.workers.map((w) => (w ? `${w.name}:${w.state}/r${w.restarts}` : '?')).join(' ');
        lines.push(
          `${(s.t / 1000).toFixed(0).padStart(4)}s ${s.mark ? `[${s.mark}] ` : ''}rows ${rows} | metrics ${ws} | observed ${s.observed ?? '?'}`,
        );
      }
      return lines.join('\n');
    },
    stop: async () => {
      stopping = true;
      await loop;
    },
  };
}
