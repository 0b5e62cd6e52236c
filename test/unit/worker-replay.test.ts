import type { Pipeline } from '../../server/common/pipelines';
import { createPreparation, pipelineSteps } from '../../server/common/prepare/preparation';
import type { FailedRecord } from '../../server/common/records';
import { compileReplayFilter } from '../../server/common/replayFilter';
import { type Replay, ZERO_COUNTERS } from '../../server/common/replays';
import { BulkRequestError } from '../../server/pipeline-worker/interfaces/bulkIndexer';
import type {
  ErrorTopicScanner,
  ScanChunk,
  ScanRange,
} from '../../server/pipeline-worker/interfaces/errorTopicScanner';
import type {
  ReplayProgress,
  ReplayStanding,
  ReplayStore,
} from '../../server/pipeline-worker/interfaces/replayStore';
import { buildErrorMessage } from '../../server/pipeline-worker/logics/envelopes';
import { chunkSizeFor, createPacer } from '../../server/pipeline-worker/logics/replayPace';
import { parseEnvelope, rebuildSourceRecord } from '../../server/pipeline-worker/logics/replayRecord';
import { remainingRanges, startReplayRun } from '../../server/pipeline-worker/logics/replayRunner';
import { createReplaySupervisor } from '../../server/pipeline-worker/logics/replaySupervisor';
import { testLogger } from '../helpers';
import { FakeIndexer, FakeSink } from '../helpers/worker-fakes';

const pipeline = { id: 'pid', name: 'p', index: 'logs' };
const now = new Date('2026-01-01T00:00:00.000Z');

function failed(offset: number, value: Buffer | null, extra: Partial<FailedRecord> = {}): FailedRecord {
  return {
    kind: 'failed',
    origin: {
      topic: 'sdp.p.input',
      partition: 1,
      offset,
      timestamp: '1700000000000',
      key: Buffer.from(`k${offset}`),
    },
    stage: 'schema',
    errorType: 'schema_mismatch',
    reason: 'bad',
    attempts: 1,
    value,
    bytes: value?.length ?? 0,
    ...extra,
  };
}

const envelopeOf = (f: FailedRecord) =>
  parseEnvelope(Buffer.from(buildErrorMessage(f, pipeline, now).value))!;
const meta = (timestamp = now.getTime()) => ({
  topic: 'sdp.p.error',
  partition: 0,
  offset: 0,
  timestamp,
  key: null,
  headers: {},
});

describe('replay filter', () => {
  it('names each problem by its path: bad CEL, a refused function, bad or backwards times', () => {
    const bad = compileReplayFilter({ if: 'doc.stage ==', since: 'x', until: '2026-01-01T00:00:00Z' });
    expect('problems' in bad && bad.problems.map((p) => p.path)).toEqual(['filter.since', 'filter.if']);
    const backwards = compileReplayFilter({ since: '2026-01-02T00:00:00Z', until: '2026-01-01T00:00:00Z' });
    expect('problems' in backwards && backwards.problems).toEqual([
      { path: 'filter.since', message: 'is not before until' },
    ]);
    const refused = compileReplayFilter({ if: 'doc.reason.matches("a.*")' });
    expect('problems' in refused && refused.problems[0]!.path).toBe('filter.if');
  });

  it('takes what matches stage, reason, the time window and the CEL condition over the envelope', () => {
    const c = compileReplayFilter({
      stage: 'schema',
      reason: 'schema_mismatch',
      since: '2025-12-31T00:00:00Z',
      until: '2026-01-02T00:00:00Z',
      if: 'doc.source.partition == 1 && doc.attempts < 3',
    });
    if (!('filter' in c)) throw new Error('should compile');
    const env = envelopeOf(failed(5, Buffer.from('{"a":1}')));
    expect(c.filter.test({ envelope: env, meta: meta() })).toEqual({ matched: true });
    expect(c.filter.test({ envelope: { ...env, stage: 'parse' }, meta: meta() }).matched).toBe(false);
    expect(c.filter.test({ envelope: { ...env, errorType: 'x' }, meta: meta() }).matched).toBe(false);
    expect(c.filter.test({ envelope: env, meta: meta(Date.parse('2026-01-02T00:00:00Z')) }).matched).toBe(
      false,
    );
    expect(c.filter.test({ envelope: { ...env, attempts: 3 }, meta: meta() }).matched).toBe(false);
    // A condition that fails on a record (no such field) does not take it, and says so.
    const onMissing = compileReplayFilter({ if: 'doc.nothing.deeper == 1' });
    if (!('filter' in onMissing)) throw new Error('should compile');
    expect(onMissing.filter.test({ envelope: env, meta: meta() })).toMatchObject({
      matched: false,
      why: 'error',
    });
  });
});

describe('envelope -> original record', () => {
  it('rebuilds topic, partition, offset, timestamp, key and value, so the id step gives the original _id', () => {
    const f = failed(42, Buffer.from('{"n":1,"é":"x"}'));
    const rebuilt = rebuildSourceRecord(envelopeOf(f));
    if (!('record' in rebuilt)) throw new Error(rebuilt.reason);
    expect(rebuilt.record).toEqual({
      topic: 'sdp.p.input',
      partition: 1,
      offset: '42',
      timestamp: '1700000000000',
      key: Buffer.from('k42'),
      value: Buffer.from('{"n":1,"é":"x"}'),
    });
    expect(rebuilt.attempts).toBe(1);
    const prepared = createPreparation(pipelineSteps({ idField: null }))(rebuilt.record);
    expect(prepared).toMatchObject({ kind: 'index', id: 'sdp.p.input-1-42' });
    const byField = createPreparation(pipelineSteps({ idField: 'n' }))(rebuilt.record);
    expect(byField).toMatchObject({ kind: 'index', id: '1' });
  });

  it('decodes base64 values and keys, keeps attempts, and refuses truncated or unreadable envelopes', () => {
    const binary = Buffer.from([0xff, 0xfe, 0x00, 0x41]);
    const f = failed(7, binary, {
      attempts: 3,
      origin: { ...failed(7, null).origin, key: Buffer.from([0xc3]) },
    });
    const rebuilt = rebuildSourceRecord(envelopeOf(f));
    if (!('record' in rebuilt)) throw new Error(rebuilt.reason);
    expect(rebuilt.record.value).toEqual(binary);
    expect(rebuilt.record.key).toEqual(Buffer.from([0xc3]));
    expect(rebuilt.attempts).toBe(3);
    const big = buildErrorMessage(failed(8, Buffer.alloc(100, 'a')), pipeline, now, 10);
    expect(rebuildSourceRecord(parseEnvelope(Buffer.from(big.value))!)).toMatchObject({ skip: 'truncated' });
    expect(rebuildSourceRecord({ source: { topic: 't', partition: -1 } })).toMatchObject({
      skip: 'unreadable',
    });
    expect(rebuildSourceRecord({})).toMatchObject({ skip: 'unreadable' });
    expect(parseEnvelope(Buffer.from('[1]'))).toBeNull();
    expect(parseEnvelope(Buffer.from('{'))).toBeNull();
  });
});

describe('replay pace and ranges', () => {
  it('spaces chunks so the average stays at the rate, without banking idle time into a burst', () => {
    let t = 0;
    const pace = createPacer(10, () => t);
    expect(pace.delayBefore(10)).toBe(0);
    expect(pace.delayBefore(10)).toBe(1000);
    t = 5000; // idle for a while: no burst allowed beyond the next chunk
    expect(pace.delayBefore(10)).toBe(0);
    expect(pace.delayBefore(5)).toBe(1000);
    expect(chunkSizeFor(2, 500)).toBe(2);
    expect(chunkSizeFor(5000, 500)).toBe(500);
    expect(chunkSizeFor(0.5, 500)).toBe(1);
  });

  it('reads from the saved positions (else the start) to the end snapshot, skipping finished partitions', () => {
    const r = {
      startOffsets: { '0': '0', '1': '3', '2': '5' },
      endOffsets: { '0': '10', '1': '8', '2': '5' },
      positions: { '0': '4', '1': '8' },
    } as unknown as Replay;
    expect(remainingRanges(r)).toEqual([{ partition: 0, from: '4', to: '10' }]);
    expect(remainingRanges({ ...r, positions: {} })).toEqual([
      { partition: 0, from: '0', to: '10' },
      { partition: 1, from: '3', to: '8' },
    ]);
  });
});

/** An error topic in memory, read in chunks as the Kafka scanner hands them over. */
function memoryScanner(partitions: Record<number, Buffer[]>): ErrorTopicScanner & { reads: ScanRange[][] } {
  const reads: ScanRange[][] = [];
  return {
    reads,
    async scan(_topic, ranges, onChunk, { maxChunk, signal }) {
      reads.push([...ranges]);
      for (const r of ranges) {
        const values = partitions[r.partition] ?? [];
        for (let o = Number(r.from); o < Number(r.to) && !signal.aborted; o += maxChunk) {
          const end = Math.min(o + maxChunk, Number(r.to));
          const chunk: ScanChunk = {
            partition: r.partition,
            records: values.slice(o, end).map((value, i) => ({
              partition: r.partition,
              offset: String(o + i),
              timestamp: now.getTime(),
              value,
            })),
            next: String(end),
          };
          try {
            await onChunk(chunk);
          } catch (e) {
            if (signal.aborted) return;
            throw e;
          }
        }
      }
    },
  };
}

class MemoryStore implements ReplayStore {
  saved: ReplayProgress[] = [];
  ended: Array<{ status: string; reason?: string }> = [];
  released = 0;
  /** What the next saves answer (a cancel shows here). */
  standing: ReplayStanding = 'mine';
  async claim(): Promise<Replay | null> {
    return null;
  }
  async heartbeat() {
    return this.standing;
  }
  async saveProgress(_id: string, _w: string, p: ReplayProgress) {
    this.saved.push(structuredClone(p));
    return this.standing;
  }
  releasedWith: ReplayProgress | null = null;
  async release(_id: string, _w: string, p: ReplayProgress) {
    this.released++;
    this.releasedWith = structuredClone(p);
  }
  async finish(_id: string, _w: string, end: { status: string; reason?: string }) {
    this.ended.push(end);
    return this.standing === 'mine' ? ('mine' as const) : this.standing;
  }
}

function replayOf(extra: Partial<Replay> = {}, options: Partial<Replay['options']> = {}): Replay {
  return {
    id: 'rid',
    pipelineId: 'pid',
    status: 'running',
    filter: {},
    options: { dryRun: false, maxRecords: null, ratePerSec: 10_000, ...options },
    startOffsets: { '0': '0' },
    endOffsets: { '0': '6' },
    positions: {},
    counters: { ...ZERO_COUNTERS },
    report: null,
    ownerWorker: 'w1',
    heartbeatAt: null,
    claims: 1,
    reason: null,
    createdBy: 'editor',
    createdAt: now.toISOString(),
    endedAt: null,
    ...extra,
  };
}

/** Four good records (offsets 0..3 of the input) and two that are not JSON, as the error topic holds them. */
const topic = () => ({
  0: [
    ...[0, 1, 2, 3].map((o) =>
      Buffer.from(buildErrorMessage(failed(o, Buffer.from(`{"n":${o}}`)), pipeline, now).value),
    ),
    ...[4, 5].map((o) =>
      Buffer.from(
        buildErrorMessage(
          failed(o, Buffer.from('{oops'), { stage: 'parse', errorType: 'invalid_json', attempts: 2 }),
          pipeline,
          now,
        ).value,
      ),
    ),
  ],
});

function run(replay: Replay, store: MemoryStore, scanner = memoryScanner(topic()), maxChunk = 2) {
  const indexer = new FakeIndexer();
  const errorSink = new FakeSink();
  const r = startReplayRun({
    replay,
    pipeline: {
      ...pipeline,
      topics: { input: 'sdp.p.input', output: 'sdp.p.output', error: 'sdp.p.error' },
    } as Pipeline,
    workerId: 'w1',
    prepare: createPreparation(pipelineSteps({ idField: null })),
    scanner,
    store,
    indexer,
    errorSink,
    outputSink: null,
    retry: { initialMs: 1, maxMs: 2 },
    failureThreshold: 3,
    maxChunk,
    heartbeatMs: 60_000,
    logger: testLogger(),
  });
  return { r, indexer, errorSink, scanner };
}

describe('replay run', () => {
  it('indexes matches under their original ids, sends re-failures back with attempts + 1 and its id, saves progress per batch', async () => {
    const store = new MemoryStore();
    const { r, indexer, errorSink } = run(replayOf(), store);
    expect(await r.done).toEqual({ kind: 'succeeded' });
    expect(indexer.calls.flat().map((a) => a.id)).toEqual([0, 1, 2, 3].map((o) => `sdp.p.input-1-${o}`));
    const back = errorSink.sent.map((m) => JSON.parse(String(m.value)) as Record<string, unknown>);
    expect(back.map((e) => [e.stage, e.attempts, e.replayId])).toEqual([
      ['parse', 3, 'rid'],
      ['parse', 3, 'rid'],
    ]);
    // One save per batch of two, positions moving on, the last at the end snapshot.
    expect(store.saved.map((s) => s.positions['0'])).toEqual(['2', '4', '6']);
    expect(store.ended).toEqual([{ status: 'succeeded', progress: expect.anything() }]);
    expect(r.view().counters).toEqual({
      scanned: 6,
      matched: 6,
      replayed: 6,
      indexed: 4,
      failedAgain: 2,
      skipped: 0,
    });
  });

  it('resumes from saved positions and counters: nothing before them is read or counted again', async () => {
    const store = new MemoryStore();
    const resumed = replayOf({
      positions: { '0': '4' },
      counters: { scanned: 4, matched: 4, replayed: 4, indexed: 4, failedAgain: 0, skipped: 0 },
    });
    const { r, indexer, scanner } = run(resumed, store);
    expect(await r.done).toEqual({ kind: 'succeeded' });
    expect(scanner.reads).toEqual([[{ partition: 0, from: '4', to: '6' }]]);
    expect(indexer.calls).toEqual([]);
    expect(r.view().counters).toEqual({
      scanned: 6,
      matched: 6,
      replayed: 6,
      indexed: 4,
      failedAgain: 2,
      skipped: 0,
    });
  });

  it('stops at the next batch once cancelled, and does not end the replay itself', async () => {
    const store = new MemoryStore();
    store.standing = 'cancelled';
    const { r, indexer } = run(replayOf(), store);
    expect(await r.done).toEqual({ kind: 'cancelled' });
    expect(indexer.calls).toHaveLength(1);
    expect(store.saved).toHaveLength(1);
    expect(store.ended).toEqual([]);
  });

  it('a dry run writes nothing and counts outcomes with a sample; filter and maxRecords apply', async () => {
    const store = new MemoryStore();
    const { r, indexer, errorSink } = run(replayOf({}, { dryRun: true, maxRecords: 5 }), store);
    expect(await r.done).toEqual({ kind: 'succeeded' });
    expect(indexer.calls).toEqual([]);
    expect(errorSink.sent).toEqual([]);
    const last = store.saved[store.saved.length - 1]!;
    expect(last.report!.outcomes).toEqual({ index: 4, 'fail:parse:invalid_json': 1 });
    expect(last.report!.sample[0]).toMatchObject({
      outcome: 'index',
      documents: [{ id: 'sdp.p.input-1-0', index: 'logs' }],
    });
    // Stopped at the sixth record, the first past maxRecords: its position is where a resume would read.
    expect(last.positions['0']).toBe('5');
    expect(last.counters).toMatchObject({ matched: 5, replayed: 5, indexed: 4, failedAgain: 1 });

    const filtered = new MemoryStore();
    const f = run(replayOf({ filter: { stage: 'parse' } }, { dryRun: true }), filtered);
    await f.r.done;
    expect(f.r.view().counters).toMatchObject({ scanned: 6, matched: 2, failedAgain: 2, indexed: 0 });
  });

  it('a filter that does not compile (a stored row edited by hand) ends it as failed with the reason', async () => {
    const store = new MemoryStore();
    const { r } = run(replayOf({ filter: { if: 'doc ==' } }), store);
    const end = await r.done;
    expect(end).toMatchObject({ kind: 'failed', reason: expect.stringContaining('filter.if') });
    expect(store.ended[0]).toMatchObject({ status: 'failed', reason: expect.stringContaining('filter.if') });
  });

  it('gives up after failureThreshold failed attempts and says why; stop() gives the claim back', async () => {
    const store = new MemoryStore();
    const { r, indexer } = run(replayOf(), store);
    indexer.script = () => {
      throw new BulkRequestError('bulk request failed (503)', { status: 503 });
    };
    const end = await r.done;
    expect(end).toMatchObject({ kind: 'failed', reason: expect.stringContaining('gave up') });

    const slow = new MemoryStore();
    const s = run(replayOf({}, { ratePerSec: 0.5 }), slow);
    await new Promise((res) => setTimeout(res, 50));
    expect(await s.r.stop()).toEqual({ kind: 'released' });
    expect(slow.released).toBe(1);
    // The batch cut short by the stop is neither counted nor passed: a resume reads it again.
    expect(slow.releasedWith).toMatchObject({
      positions: { '0': '1' },
      counters: { scanned: 1, matched: 1 },
    });
    expect(slow.ended).toEqual([]);
  });
});

describe('replay supervisor', () => {
  function supervisor(claimed: Replay[], pipelineFound: boolean, startRun?: () => never) {
    const store = new MemoryStore();
    const queue = [...claimed];
    store.claim = async () => queue.shift() ?? null;
    const started: string[] = [];
    const s = createReplaySupervisor({
      workerId: 'w1',
      store,
      pipelineOf: async () => (pipelineFound ? ({ ...pipeline, topics: { error: 'e' } } as Pipeline) : null),
      startRun:
        startRun ??
        ((replay) => {
          started.push(replay.id);
          return {
            replayId: replay.id,
            done: new Promise(() => undefined),
            stop: async () => ({ kind: 'released' as const }),
            view: () => ({
              replayId: replay.id,
              pipelineId: 'pid',
              pipelineName: 'p',
              dryRun: false,
              counters: ZERO_COUNTERS,
              positions: {},
            }),
          };
        }),
      logger: testLogger(),
      options: { pollIntervalMs: 60_000, staleMs: 5_000, maxConcurrent: 1, maxClaims: 5 },
    });
    return { s, store, started };
  }

  it('performs one replay at a time and shows it', async () => {
    const { s, started } = supervisor([replayOf({ id: 'a' }), replayOf({ id: 'b' })], true);
    await s.poll();
    await s.poll();
    expect(started).toEqual(['a']);
    expect(s.runs().map((r) => r.replayId)).toEqual(['a']);
    await s.stop();
  });

  it('ends a replay as failed, with the reason, when its pipeline is gone, its steps do not compile, or it was taken over too often', async () => {
    const gone = supervisor([replayOf()], false);
    await gone.s.poll();
    expect(gone.store.ended).toEqual([{ status: 'failed', reason: 'the pipeline was deleted' }]);
    const broken = supervisor([replayOf()], true, () => {
      throw new Error('processors[0]: bad');
    });
    await broken.s.poll();
    expect(broken.store.ended[0]).toMatchObject({
      status: 'failed',
      reason: expect.stringContaining('processors[0]: bad'),
    });
    const often = supervisor([replayOf({ claims: 6 })], true);
    await often.s.poll();
    expect(often.store.ended[0]).toMatchObject({
      status: 'failed',
      reason: expect.stringContaining('stopped without finishing it 5 times'),
    });
    expect(often.started).toEqual([]);
  });
});
