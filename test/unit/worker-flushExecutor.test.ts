import { AbortedError } from '../../server/common/retry';
import { BulkRequestError } from '../../server/pipeline-worker/interfaces/bulkIndexer';
import type { ParsedRecord } from '../../server/common/records';
import { executeFlush, FlushDeps } from '../../server/pipeline-worker/logics/flushExecutor';
import { createPreparation, pipelineSteps } from '../../server/common/prepare/preparation';
import { FakeIndexer, FakeSink } from '../helpers/worker-fakes';

function records(values: string[], idField: string | null = null): ParsedRecord[] {
  const prepare = createPreparation(pipelineSteps({ idField }));
  return values.map((v, i) =>
    prepare({
      topic: 'in',
      partition: 0,
      offset: String(i),
      timestamp: '0',
      key: null,
      value: Buffer.from(v),
    }),
  );
}

function deps(indexer: FakeIndexer, over: Partial<FlushDeps> = {}) {
  const errorSink = new FakeSink();
  const outputSink = new FakeSink();
  const failures: string[] = [];
  let progress = 0;
  const d: FlushDeps = {
    pipeline: { id: 'p', name: 'pn', index: 'idx' },
    indexer,
    errorSink,
    outputSink,
    retry: { initialMs: 1, maxMs: 4 },
    signal: new AbortController().signal,
    health: {
      failed: (_e, stage) => failures.push(stage),
      progressed: () => progress++,
    },
    ...over,
  };
  return { d, errorSink, outputSink, failures, progress: () => progress };
}

const envelopes = (s: FakeSink) => s.sent.map((m) => JSON.parse(String(m.value)));

describe('executeFlush', () => {
  it('indexes good records, routes parse failures to the error topic and indexed ones to the output topic', async () => {
    const ix = new FakeIndexer();
    const { d, errorSink, outputSink, failures } = deps(ix);
    const r = await executeFlush(records(['{"a":1}', 'nope', '{"a":2}']), d);
    expect(r).toEqual({ indexed: 2, failed: 1, bulkRequests: 1 });
    expect(ix.calls[0]!.map((a) => a.id)).toEqual(['in-0-0', 'in-0-2']);
    expect(envelopes(errorSink)).toEqual([
      expect.objectContaining({ stage: 'parse', errorType: 'invalid_json' }),
    ]);
    expect(envelopes(outputSink).map((e) => e.id)).toEqual(['in-0-0', 'in-0-2']);
    expect(failures).toEqual([]);
  });

  it('retries only the items OpenSearch could not take (429/503), never sending them to the error topic', async () => {
    const ix = new FakeIndexer((actions, call) =>
      actions.map((a) =>
        call === 1 && a.id.endsWith('-1')
          ? { status: 429, error: { type: 'es_rejected_execution_exception', reason: 'queue full' } }
          : call === 1 && a.id.endsWith('-2')
            ? { status: 503, error: { type: 'unavailable_shards_exception', reason: 'primary not active' } }
            : { status: 201 },
      ),
    );
    const { d, errorSink } = deps(ix);
    const r = await executeFlush(records(['{"a":0}', '{"a":1}', '{"a":2}', '{"a":3}']), d);
    expect(r.indexed).toBe(4);
    expect(ix.requestSizes).toEqual([4, 2]);
    expect(ix.calls[1]!.map((a) => a.id)).toEqual(['in-0-1', 'in-0-2']);
    expect(errorSink.sent).toEqual([]);
  });

  it('sends permanently refused items (400) to the error topic with type, reason, status; neighbours indexed', async () => {
    const ix = new FakeIndexer((actions) =>
      actions.map((a) =>
        a.source.includes('"bad"')
          ? { status: 400, error: { type: 'mapper_parsing_exception', reason: 'failed to parse field [n]' } }
          : { status: 201 },
      ),
    );
    const { d, errorSink, outputSink } = deps(ix);
    const r = await executeFlush(records(['{"n":1}', '{"n":"bad"}', '{"n":3}']), d);
    expect(r).toMatchObject({ indexed: 2, failed: 1 });
    expect(envelopes(errorSink)).toEqual([
      expect.objectContaining({
        stage: 'index',
        errorType: 'mapper_parsing_exception',
        reason: 'failed to parse field [n]',
        status: 400,
        attempts: 1,
        value: '{"n":"bad"}',
      }),
    ]);
    expect(outputSink.sent).toHaveLength(2);
  });

  it('retries a failed request with backoff, counting each failed attempt', async () => {
    const ix = new FakeIndexer((actions, call) => {
      if (call <= 2) throw new BulkRequestError('connect ECONNREFUSED', {});
      return actions.map(() => ({ status: 201 }));
    });
    const { d, failures } = deps(ix);
    const r = await executeFlush(records(['{"a":1}', '{"a":2}']), d);
    expect(r).toMatchObject({ indexed: 2, bulkRequests: 3 });
    expect(failures).toEqual(['index', 'index']);
  });

  it('splits a batch refused with 413 until the oversized record is alone, then routes it to the error topic', async () => {
    const ix = new FakeIndexer((actions) => {
      if (actions.some((a) => a.source.length > 100))
        throw new BulkRequestError('too large', { status: 413 });
      return actions.map(() => ({ status: 201 }));
    });
    const { d, errorSink } = deps(ix);
    const big = JSON.stringify({ pad: 'x'.repeat(200) });
    const r = await executeFlush(records(['{"a":1}', '{"a":2}', big, '{"a":3}', '{"a":4}']), d);
    expect(r).toMatchObject({ indexed: 4, failed: 1 });
    expect(envelopes(errorSink)).toEqual([
      expect.objectContaining({ stage: 'index', errorType: 'request_entity_too_large', status: 413 }),
    ]);
  });

  it('re-sends later writes of the same _id after a retried earlier one, so the newest version wins', async () => {
    const ix = new FakeIndexer((actions, call) =>
      actions.map((a) =>
        call === 1 && a.source.includes('"v":1')
          ? { status: 429, error: { type: 'x', reason: 'busy' } }
          : { status: 200 },
      ),
    );
    const { d } = deps(ix);
    await executeFlush(records(['{"id":"k","v":1}', '{"id":"k","v":2}', '{"id":"j","v":3}'], 'id'), d);
    expect(ix.calls[1]!.map((a) => String(a.source))).toEqual(['{"id":"k","v":1}', '{"id":"k","v":2}']);
  });

  it('retries error-topic produce failures until acknowledged', async () => {
    const ix = new FakeIndexer();
    const { d, errorSink, failures } = deps(ix);
    errorSink.failNext = 2;
    await executeFlush(records(['[]']), d);
    expect(errorSink.sent).toHaveLength(1);
    expect(failures).toEqual(['error-topic', 'error-topic']);
  });

  it('shrinks error records the topic refuses as too large instead of looping', async () => {
    const ix = new FakeIndexer();
    const { d, errorSink } = deps(ix);
    let refusals = 2;
    errorSink.send = async function (messages) {
      if (refusals-- > 0) throw Object.assign(new Error('too large'), { type: 'MESSAGE_TOO_LARGE' });
      this.sent.push(...messages);
    };
    await executeFlush(records(['[' + '1,'.repeat(200_000) + '1]']), d);
    const e = envelopes(errorSink)[0];
    expect(e.truncated).toBe(true);
    expect(Buffer.byteLength(e.value)).toBeLessThanOrEqual(4096);
  });

  it('gives up with AbortedError when the task aborts (nothing is reported done)', async () => {
    const ac = new AbortController();
    const ix = new FakeIndexer(() => {
      throw new BulkRequestError('503', { status: 503 });
    });
    const { d } = deps(ix, {
      signal: ac.signal,
      health: {
        failed: () => {
          if (ix.calls.length >= 3) ac.abort();
        },
        progressed: () => undefined,
      },
    });
    await expect(executeFlush(records(['{"a":1}']), d)).rejects.toBeInstanceOf(AbortedError);
  });

  it('does not retry an error whose root cause is not retriable: the flush rejects with it', async () => {
    const denied = Object.assign(new Error('Topic authorization failed'), { retriable: false });
    const errorSink = new FakeSink();
    errorSink.failNext = 1;
    errorSink.failWith = () => new Error('produce to error topic failed', { cause: denied });
    const { d, failures } = deps(new FakeIndexer(), { errorSink });
    await expect(executeFlush(records(['nope']), d)).rejects.toThrow('produce to error topic failed');
    expect(failures).toEqual([]);
    expect(errorSink.sent).toEqual([]);
  });

  it('frees its bulk slot once OpenSearch is done, before the Kafka sends finish', async () => {
    const events: string[] = [];
    const outputSink = new FakeSink();
    const send = outputSink.send.bind(outputSink);
    outputSink.send = async (m) => {
      events.push('output sent');
      return send(m);
    };
    const { d } = deps(new FakeIndexer(), { outputSink, release: () => events.push('released') });
    await executeFlush(records(['{"a":1}']), d);
    expect(events).toEqual(['released', 'output sent']);
  });
});
