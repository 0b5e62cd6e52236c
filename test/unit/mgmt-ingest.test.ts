import { ConflictError, ForbiddenError, RateLimitedError } from '../../server/common/errors';
import type { Pipeline } from '../../server/common/pipelines';
import { planSends } from '../../server/pipeline-mgmt/drivenadapters/kafkaRecordProducer';
import { resultOf } from '../../server/pipeline-mgmt/drivenadapters/kafkaRecordResults';
import { jsonRecords, ndjsonRecords, recordsOf } from '../../server/pipeline-mgmt/driveradapters/ingestBody';
import type { Actor } from '../../server/pipeline-mgmt/interfaces/actor';
import type { ProducedRecord, RecordPosition } from '../../server/pipeline-mgmt/interfaces/recordProducer';
import type { RecordResult } from '../../server/pipeline-mgmt/interfaces/recordResults';
import { createIngestService } from '../../server/pipeline-mgmt/logics/ingestService';
import { PendingResults, Wait } from '../../server/pipeline-mgmt/logics/pendingResults';
import { testLogger } from '../helpers';

const texts = (rs: ProducedRecord[]) => rs.map((r) => r.value.toString('utf8'));

describe('ingest bodies', () => {
  it('NDJSON: one record per non-blank line, bytes as sent, CRLF and RS tolerated', () => {
    const body = Buffer.from('{"a":1}\r\n\n  \n{"b":2}\n\u001e{"c":3}\nnot json\n');
    expect(texts(ndjsonRecords(body))).toEqual(['{"a":1}', '{"b":2}', '{"c":3}', 'not json']);
    expect(texts(ndjsonRecords(Buffer.from('{"last":true}')))).toEqual(['{"last":true}']);
  });

  it('JSON: one value is one record as sent; an array is one record per element, objects or not', () => {
    expect(texts(jsonRecords(Buffer.from(' {"a": 1} ')))).toEqual([' {"a": 1} ']);
    expect(texts(jsonRecords(Buffer.from('[{"a":1}, 5, "x", null, [1]]')))).toEqual([
      '{"a":1}',
      '5',
      '"x"',
      'null',
      '[1]',
    ]);
  });

  it('refuses a body that is not JSON (400 malformed_json) and one without records (400 no_records)', () => {
    expect(() => recordsOf(Buffer.from('{"a":'), 'json')).toThrow(
      expect.objectContaining({ code: 'malformed_json' }),
    );
    expect(() => recordsOf(Buffer.from('[]'), 'json')).toThrow(
      expect.objectContaining({ code: 'no_records' }),
    );
    expect(() => recordsOf(Buffer.from('\n\n'), 'ndjson')).toThrow(
      expect.objectContaining({ code: 'no_records' }),
    );
  });
});

describe('ingest producer plan', () => {
  const rec = (n: number) => ({ value: Buffer.alloc(n, 0x61) });

  it('takes the partitions in turn from the start given and keeps request order', () => {
    const plan = planSends([rec(1), rec(1), rec(1), rec(1)], 3, 1_000_000, 2);
    expect(plan).toEqual([
      [
        { index: 0, partition: 2 },
        { index: 1, partition: 0 },
        { index: 2, partition: 1 },
        { index: 3, partition: 2 },
      ],
    ]);
  });

  it('splits into sends of at most maxBytes (one oversized record alone)', () => {
    const plan = planSends([rec(400), rec(400), rec(2000), rec(10)], 1, 1000, 0);
    expect(plan.map((s) => s.map((x) => x.index))).toEqual([[0, 1], [2], [3]]);
  });
});

describe('results from the output and error topics', () => {
  const topics = { pipelineId: 'p', input: 'sdp.p.input', output: 'sdp.p.output', error: 'sdp.p.error' };
  const msg = (headers: Record<string, string>, value = '{}') =>
    ({ headers, value: Buffer.from(value), key: null, offset: '0', timestamp: '0', attributes: 0 }) as never;
  const src = { 'sdp-src-topic': 'sdp.p.input', 'sdp-src-partition': '2', 'sdp-src-offset': '41' };

  it('reads an indexed result from the output headers and a failure from the error record', () => {
    expect(resultOf(topics, topics.output, msg({ ...src, 'sdp-index': 'logs', 'sdp-id': 'a-1' }))).toEqual({
      position: { partition: 2, offset: '41' },
      outcome: { status: 'indexed', index: 'logs', id: 'a-1' },
    });
    const env = JSON.stringify({ reason: 'the value is not valid JSON' });
    expect(
      resultOf(
        topics,
        topics.error,
        msg({ ...src, 'sdp-stage': 'parse', 'sdp-error-type': 'invalid_json' }, env),
      ),
    ).toEqual({
      position: { partition: 2, offset: '41' },
      outcome: {
        status: 'failed',
        stage: 'parse',
        errorType: 'invalid_json',
        reason: 'the value is not valid JSON',
      },
    });
  });

  it('reads an indexed result from the head of an output record without headers, the document left unparsed', () => {
    const head = { index: 'logs', id: 'a-1', source: { topic: 'sdp.p.input', partition: 1, offset: '7' } };
    const value = `${JSON.stringify(head).slice(0, -1)},"doc":{"id":"a-1","note":"x\\",\\"doc\\":"}}`;
    expect(resultOf(topics, topics.output, msg({}, value))).toEqual({
      position: { partition: 1, offset: '7' },
      outcome: { status: 'indexed', index: 'logs', id: 'a-1' },
    });
    // A document too large for the topic is left out: the value is the head alone.
    expect(
      resultOf(topics, topics.output, msg({}, JSON.stringify({ ...head, docOmitted: true }))),
    ).toMatchObject({
      outcome: { status: 'indexed', id: 'a-1' },
    });
    expect(
      resultOf(
        topics,
        topics.output,
        msg({}, JSON.stringify({ ...head, source: { ...head.source, topic: 'x' } })),
      ),
    ).toBeNull();
    expect(resultOf(topics, topics.output, msg({}, 'not json'))).toBeNull();
  });

  it('ignores records of another source topic or without a source position', () => {
    expect(
      resultOf(
        topics,
        topics.output,
        msg({ ...src, 'sdp-src-topic': 'other', 'sdp-index': 'l', 'sdp-id': 'x' }),
      ),
    ).toBeNull();
    expect(
      resultOf(
        topics,
        topics.output,
        msg({ 'sdp-src-topic': 'sdp.p.input', 'sdp-index': 'l', 'sdp-id': 'x' }),
      ),
    ).toBeNull();
    expect(
      resultOf(
        topics,
        topics.output,
        msg({ ...src, 'sdp-src-offset': '-1', 'sdp-index': 'l', 'sdp-id': 'x' }),
      ),
    ).toBeNull();
  });
});

describe('pending results', () => {
  const at = (partition: number, offset: number): RecordPosition => ({ partition, offset: String(offset) });
  const indexed = (id: string) => ({ status: 'indexed' as const, index: 'i', id });

  it('answers a wait in request order as results arrive, the first result of a record winning', async () => {
    const pending = new PendingResults(10);
    const wait = new Wait([at(0, 5), at(1, 5)]);
    pending.add(wait);
    pending.deliver({ position: at(1, 5), outcome: indexed('b') });
    expect(wait.pending).toBe(1);
    pending.deliver({ position: at(0, 5), outcome: indexed('a') });
    await wait.done;
    expect(wait.outcomes).toEqual([indexed('a'), indexed('b')]);
    pending.remove(wait);
    expect(pending.size).toBe(0);
  });

  it('keeps results that arrive before their wait, at most maxEarly, oldest dropped first', () => {
    const pending = new PendingResults(2);
    for (let o = 0; o < 3; o++) pending.deliver({ position: at(0, o), outcome: indexed(String(o)) });
    const wait = new Wait([at(0, 0), at(0, 1), at(0, 2)]);
    pending.add(wait);
    expect(wait.outcomes).toEqual([{ status: 'pending' }, indexed('1'), indexed('2')]);
  });

  it('frees the entries of a wait that ends early', () => {
    const pending = new PendingResults(10);
    const wait = new Wait([at(0, 1), at(0, 2)]);
    pending.add(wait);
    expect(pending.size).toBe(2);
    wait.end();
    pending.remove(wait);
    expect(pending.size).toBe(0);
    expect(pending.activeWaits).toBe(0);
  });
});

describe('ingest service', () => {
  const pipeline = (over: Partial<Pipeline> = {}) =>
    ({
      id: 'p1',
      name: 'orders',
      status: 'running',
      outputEnabled: true,
      topics: { input: 'sdp.orders.input', output: 'sdp.orders.output', error: 'sdp.orders.error' },
      ...over,
    }) as Pipeline;
  const producer: Actor = { user: 'prod', role: 'producer', team: 'a', tokenId: null };

  function setup(p = pipeline(), maxPendingRecords = 100) {
    let deliver: ((r: RecordResult) => void) | null = null;
    const produced: ProducedRecord[][] = [];
    let next = 0;
    const service = createIngestService({
      pipelines: {
        pipelineForIngest: async (_id, actor) => {
          if (actor.role === 'viewer') throw new ForbiddenError('no');
          return p;
        },
      },
      producer: {
        produce: async (_topic, records) => {
          produced.push([...records]);
          return records.map(() => ({ partition: 0, offset: String(next++) }));
        },
        close: async () => undefined,
      },
      results: {
        watch: async (_t, onResult) => {
          deliver = onResult;
          return { close: async () => undefined };
        },
      },
      logger: testLogger(),
      settings: { maxPendingRecords, maxEarlyResults: 10, feedLingerMs: 10, retryAfterSec: 2 },
    });
    return { service, produced, deliver: (r: RecordResult) => deliver!(r) };
  }
  const records = (n: number) => Array.from({ length: n }, (_, i) => ({ value: Buffer.from(`{"i":${i}}`) }));

  it('without wait: answers once the producer has every record', async () => {
    const { service, produced } = setup();
    expect(await service.ingest({ pipelineId: 'p1', actor: producer, records: records(3) })).toEqual({
      kind: 'accepted',
      accepted: 3,
      topic: 'sdp.orders.input',
    });
    expect(produced[0]).toHaveLength(3);
  });

  it('with wait: every outcome in order once all arrived; a timeout leaves the rest pending', async () => {
    const { service, deliver } = setup();
    const done = service.ingest({ pipelineId: 'p1', actor: producer, records: records(2), waitMs: 5000 });
    await new Promise((r) => setTimeout(r, 5));
    deliver({
      position: { partition: 0, offset: '1' },
      outcome: { status: 'failed', stage: 'parse', errorType: 'x', reason: 'bad' },
    });
    deliver({ position: { partition: 0, offset: '0' }, outcome: { status: 'indexed', index: 'i', id: 'a' } });
    expect(await done).toEqual({
      kind: 'results',
      complete: true,
      results: [
        { status: 'indexed', index: 'i', id: 'a' },
        { status: 'failed', stage: 'parse', errorType: 'x', reason: 'bad' },
      ],
    });
    const partial = await service.ingest({
      pipelineId: 'p1',
      actor: producer,
      records: records(1),
      waitMs: 30,
    });
    expect(partial).toEqual({ kind: 'results', complete: false, results: [{ status: 'pending' }] });
    expect(service.pendingRecords()).toBe(0);
  });

  it('refuses a stopped pipeline (409), waits without the output topic (409) and too many waiting records (429)', async () => {
    await expect(
      setup(pipeline({ status: 'stopped' })).service.ingest({
        pipelineId: 'p1',
        actor: producer,
        records: records(1),
      }),
    ).rejects.toMatchObject({ code: 'pipeline_not_running', constructor: ConflictError });
    await expect(
      setup(pipeline({ outputEnabled: false })).service.ingest({
        pipelineId: 'p1',
        actor: producer,
        records: records(1),
        waitMs: 100,
      }),
    ).rejects.toMatchObject({ code: 'output_disabled' });
    const { service } = setup(pipeline(), 3);
    const first = service.ingest({ pipelineId: 'p1', actor: producer, records: records(2), waitMs: 200 });
    await expect(
      service.ingest({ pipelineId: 'p1', actor: producer, records: records(2), waitMs: 200 }),
    ).rejects.toBeInstanceOf(RateLimitedError);
    await first;
  });

  it('a caller that goes away ends its wait; close answers everyone still waiting', async () => {
    const { service } = setup();
    const gone = new AbortController();
    const left = service.ingest({
      pipelineId: 'p1',
      actor: producer,
      records: records(1),
      waitMs: 60_000,
      signal: gone.signal,
    });
    const stays = service.ingest({ pipelineId: 'p1', actor: producer, records: records(1), waitMs: 60_000 });
    await new Promise((r) => setTimeout(r, 5));
    gone.abort();
    expect(await left).toMatchObject({ complete: false });
    await service.close();
    expect(await stays).toMatchObject({ complete: false, results: [{ status: 'pending' }] });
    expect(service.pendingRecords()).toBe(0);
  });
});
