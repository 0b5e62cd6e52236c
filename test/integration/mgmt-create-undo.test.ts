import type { Pipeline } from '../../server/common/pipelines';
import { DependencyError } from '../../server/common/errors';
import type { TopicAdmin } from '../../server/pipeline-mgmt/interfaces/topicAdmin';
import { MgmtHarness, startMgmtHarness } from '../helpers/mgmt-harness';

/** A real TopicAdmin whose n-th createTopic call (1-based) fails or waits for a gate, as a test decides. */
class TopicAdminControl {
  failOnCall: number | undefined;
  gate: Promise<void> | undefined;
  reachedGate: (() => void) | undefined;
  private calls = 0;

  wrap = (real: TopicAdmin): TopicAdmin => ({
    ...real,
    createTopic: async (spec) => {
      this.calls++;
      if (this.calls === this.failOnCall)
        throw new DependencyError('injected: broker went away', { code: 'kafka_unavailable' });
      if (this.calls === 2 && this.gate) {
        this.reachedGate?.();
        await this.gate;
      }
      return real.createTopic(spec);
    },
  });

  reset(): void {
    this.calls = 0;
    this.failOnCall = undefined;
    this.gate = undefined;
  }
}

// Create's undo paths and races, asserted on the real broker, OpenSearch and MariaDB.
describe('pipeline-mgmt create: undo and races', () => {
  const control = new TopicAdminControl();
  let h: MgmtHarness;
  let index: string;

  beforeAll(async () => {
    h = await startMgmtHarness({ wrapTopicAdmin: control.wrap });
    index = await h.newIndex();
  });
  afterAll(async () => {
    await h?.stop();
  });
  beforeEach(() => control.reset());

  const rowsNamed = (name: string) => h.db('pipelines').where({ name });
  const indexExists = async (name: string) =>
    (await h.opensearch.indices.exists({ index: name })).body === true;

  it('a pre-existing error topic: 409 topic_exists, the topics it made are deleted, the foreign one kept, no row', async () => {
    const name = h.newName();
    const foreign = `sdp.${name}.error`;
    await h.admin.createTopics({ topics: [{ topic: foreign, numPartitions: 1, replicationFactor: 1 }] });
    const res = await h.api('POST', '/api/v1/pipelines', { body: { name, index, partitions: 1 } });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'topic_exists', details: { topic: foreign } });
    expect(await h.topicsOf(name)).toEqual([foreign]);
    expect(await rowsNamed(name)).toEqual([]);
  });

  it('the 2nd topic creation fails: 503, no orphan topics, no row, an index it created is deleted', async () => {
    control.failOnCall = 2;
    const name = h.newName();
    const newIndex = h.indexName();
    const res = await h.api('POST', '/api/v1/pipelines', {
      body: {
        name,
        index: newIndex,
        partitions: 1,
        createIndex: { mappings: { properties: { a: { type: 'keyword' } } } },
      },
    });
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ code: 'kafka_unavailable' });
    expect(await h.topicsOf(name)).toEqual([]);
    expect(await rowsNamed(name)).toEqual([]);
    expect(await indexExists(newIndex)).toBe(false);
  });

  it('a missing index: 400 index_not_found, nothing created', async () => {
    const name = h.newName();
    const res = await h.api('POST', '/api/v1/pipelines', { body: { name, index: h.indexName() } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'index_not_found' });
    expect(await h.topicsOf(name)).toEqual([]);
    expect(await rowsNamed(name)).toEqual([]);
  });

  it('createIndex makes the index with its mappings; asking again for an existing index is 409 index_exists', async () => {
    const newIndex = h.indexName();
    const res = await h.api<Pipeline>('POST', '/api/v1/pipelines', {
      body: {
        name: h.newName(),
        index: newIndex,
        partitions: 1,
        createIndex: {
          settings: { number_of_shards: 1 },
          mappings: { properties: { sku: { type: 'keyword' } } },
        },
      },
    });
    expect(res.status).toBe(201);
    const mapping = await h.opensearch.indices.getMapping({ index: newIndex });
    expect(JSON.stringify(mapping.body)).toContain('"sku":{"type":"keyword"}');
    const name = h.newName();
    const again = await h.api('POST', '/api/v1/pipelines', {
      body: { name, index: newIndex, createIndex: {} },
    });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'index_exists' });
    expect(await h.topicsOf(name)).toEqual([]);
  });

  it('an index definition OpenSearch refuses: 400 invalid_index_definition, no index, no topics, no row', async () => {
    const name = h.newName();
    const newIndex = h.indexName();
    const res = await h.api('POST', '/api/v1/pipelines', {
      body: {
        name,
        index: newIndex,
        createIndex: { mappings: { properties: { a: { type: 'no-such-type' } } } },
      },
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'invalid_index_definition' });
    expect(await indexExists(newIndex)).toBe(false);
    expect(await h.topicsOf(name)).toEqual([]);
    expect(await rowsNamed(name)).toEqual([]);
  });

  it('a replication factor the cluster cannot give: 400 invalid_replication_factor, nothing left', async () => {
    const name = h.newName();
    const res = await h.api('POST', '/api/v1/pipelines', { body: { name, index, replicationFactor: 3 } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'invalid_replication_factor' });
    expect(await h.topicsOf(name)).toEqual([]);
    expect(await rowsNamed(name)).toEqual([]);
  });

  it('two concurrent creates of one name: exactly one 201 and one 409', async () => {
    const name = h.newName();
    const results = await Promise.all(
      [1, 2].map(() =>
        h.api<Pipeline>('POST', '/api/v1/pipelines', { body: { name, index, partitions: 1 } }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(results.find((r) => r.status === 409)?.body).toMatchObject({ code: 'pipeline_exists' });
    expect(await h.topicsOf(name)).toHaveLength(3);
    expect(await rowsNamed(name)).toHaveLength(1);
  });

  it('a pipeline half-way through create is stopped in MariaDB and invisible through the API', async () => {
    let release: () => void = () => undefined;
    control.gate = new Promise<void>((r) => (release = r));
    const reached = new Promise<void>((r) => (control.reachedGate = r));
    const name = h.newName();
    const pending = h.api<Pipeline>('POST', '/api/v1/pipelines', { body: { name, index, partitions: 1 } });
    await reached;
    const [row] = await rowsNamed(name);
    expect(row).toMatchObject({ desired_status: 'stopped', lifecycle: 'creating' });
    expect((await h.api('GET', `/api/v1/pipelines/${row.id}`)).status).toBe(404);
    const list = await h.api<{ items: Pipeline[] }>('GET', `/api/v1/pipelines?name=${name}`);
    expect(list.body.items).toEqual([]);
    const dup = await h.api('POST', '/api/v1/pipelines', { body: { name, index } });
    expect(dup.status).toBe(409);
    release();
    const res = await pending;
    expect(res.status).toBe(201);
    expect(res.body.status).toBe('running');
  });

  it('an abandoned create (a record left in creating long ago) is cleaned up by the next create of the name', async () => {
    const name = h.newName();
    const old = new Date(Date.now() - 60 * 60_000);
    await h.db('pipelines').insert({
      id: '11111111-1111-4111-8111-111111111111',
      name,
      index_name: index,
      topic_input: `sdp.${name}.input`,
      topic_output: `sdp.${name}.output`,
      topic_error: `sdp.${name}.error`,
      partitions: 1,
      replication_factor: 1,
      desired_status: 'stopped',
      lifecycle: 'creating',
      created_by: 'x',
      updated_by: 'x',
      created_at: old,
      updated_at: old,
    });
    await h.admin.createTopics({
      topics: [{ topic: `sdp.${name}.input`, numPartitions: 1, replicationFactor: 1 }],
    });
    const res = await h.api<Pipeline>('POST', '/api/v1/pipelines', { body: { name, index, partitions: 2 } });
    expect(res.status).toBe(201);
    const rows = await rowsNamed(name);
    expect(rows.map((r: { id: string }) => r.id)).toEqual([res.body.id]);
    const meta = await h.admin.fetchTopicMetadata({ topics: [`sdp.${name}.input`] });
    expect(meta.topics[0]?.partitions).toHaveLength(2); // made anew by this create
  });
});
