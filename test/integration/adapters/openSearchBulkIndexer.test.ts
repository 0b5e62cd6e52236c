import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@opensearch-project/opensearch';
import { AbortedError } from '../../../server/common/retry';
import { createOpenSearchBulkIndexer } from '../../../server/pipeline-worker/drivenadapters/openSearchBulkIndexer';
import { BulkAction, BulkRequestError } from '../../../server/pipeline-worker/interfaces/bulkIndexer';
import { testConfig } from '../../helpers';
import { randomResourceName, testOpenSearch } from '../../helpers/adapter-env';
import { OpenSearchProxy, startOpenSearchProxy } from '../../helpers/worker-faults';

// createOpenSearchBulkIndexer on the real OpenSearch: item outcomes zipped back to their actions, and
// the request-level failures (through the switchable proxy of worker-faults.ts) as BulkRequestError.
describe('OpenSearchBulkIndexer', () => {
  const osUrl = testConfig().opensearch.url;
  let os: Client;
  const indices: string[] = [];

  /** A fresh index whose strict mapping refuses unknown fields and non-integer `n`. */
  const strictIndex = async (settings: Record<string, unknown> = {}) => {
    const index = randomResourceName('bulk');
    await os.indices.create({
      index,
      body: {
        settings: { number_of_shards: 1, number_of_replicas: 0, ...settings },
        mappings: { dynamic: 'strict', properties: { n: { type: 'integer' }, name: { type: 'keyword' } } },
      },
    });
    indices.push(index);
    return index;
  };
  const docs = async (index: string, ids: string[]) => {
    await os.indices.refresh({ index });
    const r = await os.mget({ index, body: { ids } });
    return (r.body.docs as Array<{ _id: string; found: boolean; _source?: unknown }>).map((d) =>
      d.found ? { id: d._id, source: d._source } : { id: d._id, missing: true },
    );
  };

  beforeAll(() => {
    os = testOpenSearch();
  });
  afterAll(async () => {
    for (const index of indices) await os.indices.delete({ index }).catch(() => undefined);
    await os.close();
  });

  it('returns one result per action, in order, zipped with the action: created, updated, and refused by the mapping', async () => {
    const index = await strictIndex();
    await os.index({ index, id: 'old', body: { n: 0 }, refresh: true });
    const indexer = createOpenSearchBulkIndexer({ client: os, timeoutMs: 30_000 });
    // `tag` is not sent: it shows the action object itself comes back, not a copy rebuilt by position.
    const actions: Array<BulkAction & { tag: string }> = [
      { index, id: 'a', source: '{"n":1,"name":"a"}', tag: 'good-1' },
      { index, id: 'b', source: '{"n":"not a number"}', tag: 'bad-type' },
      { index, id: 'old', source: '{"n":2}', tag: 'overwrite' },
      { index, id: 'c', source: '{"n":3,"unknown":true}', tag: 'bad-field' },
      { index, id: 'd', source: '{"n":4}', tag: 'good-2' },
      { index, id: 'e', source: '{"n":', tag: 'bad-json' },
    ];

    const results = await indexer.bulk(actions);

    expect(results.map((r) => r.action)).toEqual(actions);
    results.forEach((r, i) => expect(r.action).toBe(actions[i]));
    expect(results.map((r) => ({ tag: r.action.tag, status: r.status, type: r.error?.type }))).toEqual([
      { tag: 'good-1', status: 201, type: undefined },
      { tag: 'bad-type', status: 400, type: 'mapper_parsing_exception' },
      { tag: 'overwrite', status: 200, type: undefined },
      { tag: 'bad-field', status: 400, type: 'strict_dynamic_mapping_exception' },
      { tag: 'good-2', status: 201, type: undefined },
      { tag: 'bad-json', status: 400, type: 'mapper_parsing_exception' },
    ]);
    // The reason carries OpenSearch's own words, with the cause's reason after it.
    expect(results[1]!.error?.reason).toMatch(/failed to parse field \[n\].*: .*not a number/);
    expect(await docs(index, ['a', 'b', 'old', 'c', 'd', 'e'])).toEqual([
      { id: 'a', source: { n: 1, name: 'a' } },
      { id: 'b', missing: true },
      { id: 'old', source: { n: 2 } },
      { id: 'c', missing: true },
      { id: 'd', source: { n: 4 } },
      { id: 'e', missing: true },
    ]);
  });

  it('reports per item the refusals of an index with a write block (403 cluster_block_exception), next to items that succeed', async () => {
    const open = await strictIndex();
    const blocked = await strictIndex({ 'index.blocks.write': true });
    const indexer = createOpenSearchBulkIndexer({ client: os });

    const results = await indexer.bulk([
      { index: blocked, id: 'x', source: '{"n":1}' },
      { index: open, id: 'y', source: '{"n":2}' },
    ]);

    expect(results.map((r) => [r.action.id, r.status, r.error?.type])).toEqual([
      ['x', 403, 'cluster_block_exception'],
      ['y', 201, undefined],
    ]);
    expect(await docs(open, ['y'])).toEqual([{ id: 'y', source: { n: 2 } }]);
    await os.indices.putSettings({ index: blocked, body: { 'index.blocks.write': false } });
    expect(await docs(blocked, ['x'])).toEqual([{ id: 'x', missing: true }]);
  });

  it("turns OpenSearch's own refusal of the whole request into BulkRequestError with its status and type", async () => {
    const indexer = createOpenSearchBulkIndexer({ client: os });

    const err: unknown = await indexer.bulk([]).catch((e) => e);

    expect(err).toBeInstanceOf(BulkRequestError);
    expect(err).toMatchObject({ status: 400, errorType: 'action_request_validation_exception' });
    expect((err as Error).message).toMatch(/^bulk request failed \(400\): .*no requests added/);
  });

  describe('request-level failures', () => {
    let proxy: OpenSearchProxy;
    let viaProxy: Client;

    beforeAll(async () => {
      proxy = await startOpenSearchProxy(osUrl);
    });
    afterAll(() => proxy?.close());
    // A fresh client per test: no keep-alive socket from another mode (the proxy drops those on a switch).
    beforeEach(() => {
      viaProxy = testOpenSearch(proxy.url);
    });
    afterEach(async () => {
      proxy.mode = 'pass';
      await viaProxy.close();
    });

    it.each([
      ['503', 503, 'unavailable_shards_exception'],
      ['429', 429, 'es_rejected_execution_exception'],
    ] as const)(
      'turns a %s answer into BulkRequestError with the status and error type, and indexes nothing',
      async (mode, status, errorType) => {
        const index = await strictIndex();
        proxy.mode = mode;
        const indexer = createOpenSearchBulkIndexer({ client: viaProxy });

        const err: unknown = await indexer.bulk([{ index, id: 'a', source: '{"n":1}' }]).catch((e) => e);

        expect(err).toBeInstanceOf(BulkRequestError);
        expect(err).toMatchObject({ status, errorType, retriable: true, code: 'bulk_request_failed' });
        expect((err as Error).message).toContain(`(${status})`);
        expect(proxy.counts.bulkForwarded).toBe(0);
        expect(await docs(index, ['a'])).toEqual([{ id: 'a', missing: true }]);
      },
    );

    it('turns a dropped connection into BulkRequestError without a status', async () => {
      const index = await strictIndex();
      proxy.mode = 'reset';
      const indexer = createOpenSearchBulkIndexer({ client: viaProxy });

      const err: unknown = await indexer.bulk([{ index, id: 'a', source: '{"n":1}' }]).catch((e) => e);

      expect(err).toBeInstanceOf(BulkRequestError);
      expect(err).toMatchObject({ status: undefined, errorType: undefined });
      expect((err as Error).cause).toBeDefined();
    });
  });

  it('treats a response whose item count does not match the actions as a failed request', async () => {
    // A stand-in server: the real OpenSearch never answers with too few items.
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ errors: false, items: [{ index: { status: 201 } }] }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const client = testOpenSearch(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    try {
      const indexer = createOpenSearchBulkIndexer({ client });
      const err: unknown = await indexer
        .bulk([
          { index: 'i', id: '1', source: '{}' },
          { index: 'i', id: '2', source: '{}' },
        ])
        .catch((e) => e);
      expect(err).toBeInstanceOf(BulkRequestError);
      expect((err as Error).message).toBe('bulk response has 1 items for 2 actions');
    } finally {
      await client.close();
      await new Promise((r) => server.close(r));
    }
  });

  it('rejects with AbortedError, sending nothing, when the signal is already aborted', async () => {
    const index = await strictIndex();
    const indexer = createOpenSearchBulkIndexer({ client: os });
    const ac = new AbortController();
    ac.abort();

    await expect(indexer.bulk([{ index, id: 'a', source: '{"n":1}' }], ac.signal)).rejects.toBeInstanceOf(
      AbortedError,
    );
    expect(await docs(index, ['a'])).toEqual([{ id: 'a', missing: true }]);
  });
});
