import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Pipeline } from '../../server/common/pipelines';
import { waitFor } from '../helpers';
import {
  rewrittenDocs,
  countDocs,
  createTestPipeline,
  groupLag,
  produce,
  readTopic,
  updatePipeline,
  workerEnvVars,
} from '../helpers/worker-env';
import { killWorker, spawnWorker, WorkerProcess } from '../helpers/worker-process';
import { useWorkerSuite } from '../helpers/worker-suite';

jest.setTimeout(180_000);

type Doc = Record<string, unknown>;

// Processors, routing and schema on the real worker process against real MariaDB, Kafka and OpenSearch.
describe('pipeline-worker processors', () => {
  const suite = useWorkerSuite();
  let worker: WorkerProcess | undefined;
  const routed: string[] = [];

  afterEach(async () => {
    await killWorker(worker);
    worker = undefined;
  });
  afterAll(async () => {
    for (const index of routed) await suite.env.os.indices.delete({ index }).catch(() => undefined);
  });

  async function search(
    index: string,
    size = 1000,
  ): Promise<Array<{ _id: string; _index: string; _source: Doc }>> {
    await suite.env.os.indices.refresh({ index }).catch(() => undefined);
    const res = await suite.env.os.search({ index, body: { size, query: { match_all: {} } } });
    return (res.body.hits.hits as Array<{ _id: string; _index: string; _source: Doc }>).sort((a, b) =>
      a._id.localeCompare(b._id),
    );
  }

  function start(extra: Record<string, string> = {}): Promise<number> {
    worker = spawnWorker(
      suite.entry,
      workerEnvVars(suite.env, {
        SDP_SERVER_FLUSH_ITEMS: '50',
        SDP_SERVER_FLUSH_INTERVAL_SEC: '0.3',
        SDP_HASH_SECRET_TEST_SALT: 'pepper',
        ...extra,
      }),
      'proc',
    );
    return worker.ready;
  }

  async function drained(p: Pipeline): Promise<void> {
    await waitFor(async () => (await groupLag(suite.env, p.id, p.topics.input)) === 0, {
      timeoutMs: 60_000,
      what: 'lag 0',
    });
  }

  it('runs a chain, routes by the index template (unresolved to the pipeline index), and sends failures to the error topic with stage transform / schema', async () => {
    const p = suite.track(await createTestPipeline(suite.env, { partitions: 1, idField: 'order' }));
    const prefix = `${p.name}-t`;
    routed.push(`${prefix}-acme`, `${prefix}-globex`);
    await updatePipeline(suite.env, p, {
      processors: [
        { rename: { field: 'cust.tenant', targetField: 'tenant', onFailure: 'skip' } },
        { lowercase: { field: 'tenant', onFailure: 'skip' } },
        { convert: { field: 'amount', type: 'float' } },
        { date: { field: 'ts', formats: ['epoch_millis', 'yyyy-MM-dd HH:mm:ss'] } },
        { drop: { if: 'has(doc.level) && doc.level == "debug"' } },
        { set: { field: 'big', expr: 'doc.amount > 100.0' } },
        { hash: { fields: ['email'], saltSecret: 'test-salt' } },
        { remove: { fields: ['tmp_*', 'cust'] } },
      ],
      indexTemplate: `${prefix}-{tenant}`,
      schema: {
        mode: 'enforce',
        jsonSchema: {
          type: 'object',
          required: ['order', 'amount'],
          properties: { amount: { type: 'number', minimum: 0 } },
        },
      },
    });
    const rec = (o: Doc) => ({ key: String(o.order ?? 'none'), value: JSON.stringify(o) });
    await produce(suite.env, p.topics.input, [
      rec({
        order: 'o1',
        cust: { tenant: 'ACME' },
        amount: '150.5',
        ts: 1_700_000_000_000,
        email: 'a@x',
        tmp_a: 1,
      }),
      rec({ order: 'o2', cust: { tenant: 'Globex' }, amount: 3, ts: '2024-02-03 04:05:06', email: 'b@x' }),
      rec({ order: 'o3', cust: { tenant: 'acme' }, amount: 1, ts: 0, email: 'c@x', level: 'debug' }),
      rec({ order: 'o4', cust: { tenant: 'acme' }, amount: 'lots', ts: 0, email: 'd@x' }),
      rec({ order: 'o5', cust: { tenant: 'acme' }, amount: -1, ts: 0, email: 'e@x' }),
      rec({ order: 'o6', cust: {}, amount: 2, ts: 0, email: 'f@x' }),
    ]);
    await start();
    await waitFor(async () => (await countDocs(suite.env, `${prefix}-*,${p.index}`).catch(() => 0)) === 3, {
      timeoutMs: 60_000,
      what: '3 documents',
    });
    await drained(p);

    const acme = await search(`${prefix}-acme`);
    expect(acme.map((h) => h._id)).toEqual(['o1']);
    expect(acme[0]!._source).toEqual({
      order: 'o1',
      tenant: 'acme',
      amount: 150.5,
      ts: 1_700_000_000_000,
      '@timestamp': '2023-11-14T22:13:20.000Z',
      big: true,
      email: createHmac('sha256', 'pepper').update('a@x').digest('hex'),
    });
    const globex = await search(`${prefix}-globex`);
    expect(globex.map((h) => [h._id, h._source['@timestamp'], h._source.big])).toEqual([
      ['o2', '2024-02-03T04:05:06.000Z', false],
    ]);
    // o6 has no tenant: the pipeline's own index.
    expect((await search(p.index)).map((h) => h._id)).toEqual(['o6']);

    const errors = (await readTopic(suite.env, p.topics.error, 2)).map((r) => JSON.parse(r.value));
    const byKey = new Map(errors.map((e) => [e.source.key, e]));
    expect(byKey.get('o4')).toMatchObject({
      stage: 'transform',
      errorType: 'conversion_failed',
      processor: 2,
      operation: 'convert',
    });
    expect(JSON.parse(byKey.get('o4').value)).toMatchObject({ order: 'o4', amount: 'lots' });
    expect(byKey.get('o5')).toMatchObject({
      stage: 'schema',
      errorType: 'schema_violation',
      errors: [{ path: '$.amount', message: 'must be >= 0' }],
    });
    // The output topic names the routed index of each indexed record.
    const out = (await readTopic(suite.env, p.topics.output, 3)).map((r) => JSON.parse(r.value));
    expect(out.map((o) => [o.id, o.index]).sort()).toEqual([
      ['o1', `${prefix}-acme`],
      ['o2', `${prefix}-globex`],
      ['o6', p.index],
    ]);

    // Metrics per processor and schema path.
    const metrics = await (await fetch(`http://127.0.0.1:${await worker!.ready}/metrics`)).text();
    expect(metrics).toMatch(
      /sdp_worker_processor_records_total\{[^}]*processor="4",operation="drop",outcome="dropped"\} 1/,
    );
    expect(metrics).toMatch(
      /sdp_worker_processor_records_total\{[^}]*processor="2",operation="convert",outcome="failed"\} 1/,
    );
    expect(metrics).toMatch(/sdp_worker_schema_failures_total\{[^}]*mode="enforce",path="\$\.amount"\} 1/);
    expect(metrics).toMatch(/sdp_worker_records_failed_total\{[^}]*stage="transform"/);
  });

  it('schema warn indexes failing records; split makes one document per element with ids <id>-<n>, and a replay does not duplicate', async () => {
    const p = suite.track(await createTestPipeline(suite.env, { partitions: 1 }));
    await updatePipeline(suite.env, p, {
      processors: [{ split: { field: 'items' } }],
      schema: {
        mode: 'warn',
        jsonSchema: { type: 'object', properties: { items: { type: 'string', maxLength: 1 } } },
      },
    });
    await produce(suite.env, p.topics.input, [
      { key: 'a', value: JSON.stringify({ o: 'a', items: ['x', 'yyy', 'z'] }) },
      { key: 'b', value: JSON.stringify({ o: 'b', items: ['w'] }) },
    ]);
    await start();
    await waitFor(async () => (await countDocs(suite.env, p.index)) === 4, {
      timeoutMs: 60_000,
      what: '4 docs',
    });
    await drained(p);
    const hits = await search(p.index);
    expect(hits.map((h) => [h._id, h._source.items])).toEqual([
      [`${p.topics.input}-0-0-0`, 'x'],
      [`${p.topics.input}-0-0-1`, 'yyy'],
      [`${p.topics.input}-0-0-2`, 'z'],
      [`${p.topics.input}-0-1-0`, 'w'],
    ]);
    const metrics = await (await fetch(`http://127.0.0.1:${await worker!.ready}/metrics`)).text();
    expect(metrics).toMatch(/sdp_worker_schema_failures_total\{[^}]*mode="warn",path="\$\.items"\} 1/);

    // Replay from the start with a new consumer group: every document written again, none added.
    await killWorker(worker);
    expect(await rewrittenDocs(suite.env, p.index)).toBe(0);
    await suite.env
      .db('pipelines')
      .where({ id: p.id })
      .update({ id: `${p.id.slice(0, -4)}beef` });
    await start();
    await waitFor(async () => (await rewrittenDocs(suite.env, p.index)) === 4, {
      timeoutMs: 60_000,
      what: 'the replay rewrote the 4 documents',
    });
    expect(await countDocs(suite.env, p.index)).toBe(4);
  });

  it('an update of the processors takes effect at a flush boundary: every record wholly by the old or the new chain, none lost', async () => {
    const p = suite.track(await createTestPipeline(suite.env, { partitions: 1 }));
    const chain = (v: string) => [{ set: { field: 'a', value: v } }, { set: { field: 'b', value: v } }];
    const v1 = await updatePipeline(suite.env, p, { processors: chain('old') });
    await start({ SDP_SERVER_FLUSH_ITEMS: '20' });
    const N = 400;
    const batch = (from: number) =>
      Array.from({ length: N / 2 }, (_, i) => ({
        key: String(from + i),
        value: JSON.stringify({ seq: from + i }),
      }));
    await produce(suite.env, p.topics.input, batch(0));
    await waitFor(async () => (await countDocs(suite.env, p.index)) > 0, {
      timeoutMs: 60_000,
      what: 'first docs',
    });
    // Change the chain while records are flowing.
    const producing = produce(suite.env, p.topics.input, batch(N / 2), 10);
    await updatePipeline(suite.env, v1, { processors: chain('new') });
    await producing;
    await waitFor(async () => readFileSync(worker!.logFile, 'utf8').includes('"why":"settings changed"'), {
      timeoutMs: 30_000,
      what: 'the task restarted for the new chain',
    });
    // Records produced after the restart: all by the new chain.
    const late = Array.from({ length: 50 }, (_, i) => ({
      key: `late${i}`,
      value: JSON.stringify({ seq: N + i }),
    }));
    await produce(suite.env, p.topics.input, late);
    await waitFor(async () => (await countDocs(suite.env, p.index)) === N + 50, {
      timeoutMs: 90_000,
      what: 'all docs',
    });
    await drained(p);
    const hits = await search(p.index);
    expect(hits).toHaveLength(N + 50);
    expect(new Set(hits.map((h) => h._source.seq)).size).toBe(N + 50);
    expect(hits.filter((h) => h._source.a !== h._source.b)).toEqual([]);
    expect(hits.filter((h) => (h._source.seq as number) >= N).every((h) => h._source.a === 'new')).toBe(true);
    expect(hits.filter((h) => h._source.a === 'old').length).toBeGreaterThan(0);
  });
});
