import type { Pipeline } from '../../server/common/pipelines';
import { consumerGroupFor } from '../../server/common/pipelines';
import { MgmtHarness, startMgmtHarness } from '../helpers/mgmt-harness';

// Every endpoint through HTTP, against a fresh database and the real Kafka and OpenSearch.
describe('pipeline-mgmt REST API', () => {
  let h: MgmtHarness;
  let index: string;
  // Admin tokens whose names end up in createdBy / updatedBy.
  const as: Record<'alice' | 'bob' | 'carol', string> = { alice: '', bob: '', carol: '' };

  beforeAll(async () => {
    h = await startMgmtHarness();
    index = await h.newIndex();
    for (const name of ['alice', 'bob', 'carol'] as const) as[name] = await h.mint({ name, role: 'admin' });
  });
  afterAll(async () => {
    await h?.stop();
  });

  const create = async (extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) => {
    const name = h.newName();
    const res = await h.api<Pipeline>('POST', '/api/v1/pipelines', {
      body: { name, index, partitions: 2, ...extra },
      headers,
    });
    expect(res.status).toBe(201);
    return res.body;
  };

  it('GET /health names the service, version, language, runtime and architecture', async () => {
    const res = await h.api('GET', '/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'ok',
      service: 'pipeline-mgmt',
      language: 'TypeScript',
      runtimeVersion: process.version,
      arch: process.arch,
    });
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });

  it('GET /ready checks MariaDB, Kafka and OpenSearch', async () => {
    const res = await h.api<{ ready: boolean; checks: Record<string, { ok: boolean }> }>('GET', '/ready');
    expect(res.status).toBe(200);
    expect(res.body.ready).toBe(true);
    expect(Object.keys(res.body.checks).sort()).toEqual(['kafka', 'mariadb', 'opensearch']);
  });

  it('GET /openapi.json is an OpenAPI 3.1 document of every route', async () => {
    const res = await h.api<{ openapi: string; paths: Record<string, Record<string, unknown>> }>(
      'GET',
      '/openapi.json',
    );
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\.1\./);
    expect(Object.keys(res.body.paths['/api/v1/pipelines/{id}'] ?? {}).sort()).toEqual([
      'delete',
      'get',
      'patch',
      'put',
    ]);
    expect(res.body.paths['/api/v1/pipelines/{id}/status']?.put).toBeDefined();
  });

  it('POST creates the topics on the broker and stores a running pipeline', async () => {
    const name = h.newName();
    const res = await h.api<Pipeline>('POST', '/api/v1/pipelines', {
      body: { name, index, partitions: 2, description: 'orders', flush: { items: 500 } },
      token: as.alice,
    });
    expect(res.status).toBe(201);
    const p = res.body;
    expect(p).toMatchObject({
      name,
      index,
      status: 'running',
      partitions: 2,
      replicationFactor: 1,
      description: 'orders',
      flush: { mib: null, items: 500, intervalSec: null },
      idField: null,
      outputEnabled: true,
      version: 1,
      createdBy: 'alice',
      updatedBy: 'alice',
      topics: { input: `sdp.${name}.input`, output: `sdp.${name}.output`, error: `sdp.${name}.error` },
    });
    expect(res.headers.get('etag')).toBe('"1"');
    expect(res.headers.get('location')).toBe(`/api/v1/pipelines/${p.id}`);
    expect(await h.topicsOf(name)).toEqual([p.topics.error, p.topics.input, p.topics.output]);
    const meta = await h.admin.fetchTopicMetadata({ topics: [p.topics.input] });
    expect(meta.topics[0]?.partitions).toHaveLength(2);
    const row = await h.db('pipelines').where({ id: p.id }).first();
    expect(row).toMatchObject({ desired_status: 'running', lifecycle: 'ready', name });
  });

  it('POST with status stopped, defaults from config, by the bootstrap admin', async () => {
    const name = h.newName();
    const res = await h.api<Pipeline>('POST', '/api/v1/pipelines', {
      body: { name, index, status: 'stopped' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'stopped', createdBy: 'bootstrap-admin', team: null });
    expect(res.body.partitions).toBe(h.config.kafka.defaultPartitions);
    expect(res.body.replicationFactor).toBe(h.config.kafka.defaultReplicationFactor);
  });

  it('GET one, GET unknown id 404, GET malformed id 404', async () => {
    const p = await create();
    const got = await h.api<Pipeline>('GET', `/api/v1/pipelines/${p.id}`);
    expect(got.status).toBe(200);
    // The record as created, plus its observed status (no worker runs in this suite).
    expect(got.body).toEqual({ ...p, observed: expect.objectContaining({ status: 'starting' }) });
    expect(got.headers.get('etag')).toBe('"1"');
    const unknown = await h.api('GET', '/api/v1/pipelines/00000000-0000-4000-8000-000000000000');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ code: 'pipeline_not_found' });
    const bad = await h.api('GET', '/api/v1/pipelines/not-a-uuid');
    expect(bad.status).toBe(404);
    expect(bad.body).toMatchObject({ code: 'pipeline_not_found' });
  });

  it('GET list pages with an opaque cursor in a stable order and filters by status and name', async () => {
    const prefix = h.newName();
    const made: Pipeline[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await h.api<Pipeline>('POST', '/api/v1/pipelines', {
        body: { name: `${prefix}-${i}`, index, partitions: 1, status: i % 2 === 0 ? 'running' : 'stopped' },
      });
      expect(res.status).toBe(201);
      made.push(res.body);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: string = `?name=${prefix}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await h.api<{ items: Pipeline[]; nextCursor: string | null }>(
        'GET',
        `/api/v1/pipelines${q}`,
      );
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((p) => p.name));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(made.map((p) => p.name));
    const stopped = await h.api<{ items: Pipeline[] }>(
      'GET',
      `/api/v1/pipelines?name=${prefix}&status=stopped`,
    );
    expect(stopped.body.items.map((p) => p.name)).toEqual([`${prefix}-1`, `${prefix}-3`]);
    const bad = await h.api('GET', '/api/v1/pipelines?cursor=garbage');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'invalid_cursor' });
  });

  it('PUT replaces the mutable fields, bumps the version and honours If-Match', async () => {
    const p = await create({ description: 'd', flush: { items: 10 }, idField: 'key', outputEnabled: false });
    const other = await h.newIndex();
    const res = await h.api<Pipeline>('PUT', `/api/v1/pipelines/${p.id}`, {
      body: { index: other, description: 'new' },
      headers: { 'If-Match': '"1"' },
      token: as.bob,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      index: other,
      description: 'new',
      flush: { mib: null, items: null, intervalSec: null },
      idField: null,
      outputEnabled: true,
      version: 2,
      updatedBy: 'bob',
      createdBy: p.createdBy,
    });
    expect(res.headers.get('etag')).toBe('"2"');
    const stale = await h.api('PUT', `/api/v1/pipelines/${p.id}`, {
      body: { index, description: 'lost update' },
      headers: { 'If-Match': '"1"' },
    });
    expect(stale.status).toBe(412);
    expect(stale.body).toMatchObject({ code: 'precondition_failed' });
    const after = await h.api<Pipeline>('GET', `/api/v1/pipelines/${p.id}`);
    expect(after.body).toMatchObject({ description: 'new', version: 2 });
  });

  it('PUT accepts a GET body sent back, refuses changed read-only fields and a missing index', async () => {
    const p = await create();
    // The GET body, read-only `observed` included.
    const got = await h.api<Pipeline>('GET', `/api/v1/pipelines/${p.id}`);
    const roundTrip = await h.api<Pipeline>('PUT', `/api/v1/pipelines/${p.id}`, {
      body: { ...got.body, description: 'round trip' },
    });
    expect(roundTrip.status).toBe(200);
    expect(roundTrip.body.description).toBe('round trip');
    const rename = await h.api('PUT', `/api/v1/pipelines/${p.id}`, {
      body: { ...roundTrip.body, name: 'other' },
    });
    expect(rename.status).toBe(400);
    expect(rename.body).toMatchObject({ code: 'immutable_field', details: { field: '/name' } });
    const parts = await h.api('PATCH', `/api/v1/pipelines/${p.id}`, { body: { partitions: 9 } });
    expect(parts.body).toMatchObject({ code: 'immutable_field', details: { field: '/partitions' } });
    const noIndex = await h.api('PUT', `/api/v1/pipelines/${p.id}`, {
      body: { index: 'does-not-exist-xyz' },
    });
    expect(noIndex.status).toBe(400);
    expect(noIndex.body).toMatchObject({ code: 'index_not_found' });
    const now = await h.api<Pipeline>('GET', `/api/v1/pipelines/${p.id}`);
    expect(now.body).toEqual({ ...roundTrip.body, observed: expect.any(Object) });
  });

  it('PATCH changes only the given fields and merges flush', async () => {
    const p = await create({ flush: { mib: 2, items: 100 }, description: 'keep' });
    const res = await h.api<Pipeline>('PATCH', `/api/v1/pipelines/${p.id}`, {
      body: { flush: { items: 200 } },
      headers: { 'Content-Type': 'application/merge-patch+json' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      description: 'keep',
      flush: { mib: 2, items: 200, intervalSec: null },
      version: 2,
    });
    const nothing = await h.api<Pipeline>('PATCH', `/api/v1/pipelines/${p.id}`, {
      body: { description: 'keep' },
    });
    expect(nothing.body.version).toBe(2); // no change, no new version
  });

  it('PUT /status always bumps the version, honours If-Match and stops / starts', async () => {
    const p = await create();
    const same = await h.api<Pipeline>('PUT', `/api/v1/pipelines/${p.id}/status`, {
      body: { status: 'running' },
    });
    expect(same.status).toBe(200);
    expect(same.body).toMatchObject({ status: 'running', version: 2 });
    const stop = await h.api<Pipeline>('PUT', `/api/v1/pipelines/${p.id}/status`, {
      body: { status: 'stopped' },
      headers: { 'If-Match': '"2"' },
      token: as.carol,
    });
    expect(stop.body).toMatchObject({ status: 'stopped', version: 3, updatedBy: 'carol' });
    const stale = await h.api('PUT', `/api/v1/pipelines/${p.id}/status`, {
      body: { status: 'running' },
      headers: { 'If-Match': '"2"' },
    });
    expect(stale.status).toBe(412);
    const row = await h.db('pipelines').where({ id: p.id }).first();
    expect(row).toMatchObject({ desired_status: 'stopped', version: 3 });
  });

  it('GET /tasks joins task rows with their workers', async () => {
    const p = await create();
    const now = new Date();
    await h.db('workers').insert({
      id: 'w-1',
      host: 'host-a',
      pid: 42,
      version: '0.1.0',
      started_at: now,
      heartbeat_at: new Date(now.getTime() - 5000),
      cpu_percent: 12.5,
      rss_bytes: 123456789,
    });
    await h.db('pipeline_tasks').insert({
      pipeline_id: p.id,
      worker_id: 'w-1',
      state: 'running',
      assigned_partitions: '[0,1]',
      restart_count: 2,
      last_error: 'boom',
      last_flush_at: now,
      records_per_sec: 99.5,
      lag: 7,
      pipeline_version: 1,
      updated_at: now,
    });
    const res = await h.api<{ items: Array<Record<string, unknown>> }>(
      'GET',
      `/api/v1/pipelines/${p.id}/tasks`,
    );
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(1);
    const t = res.body.items[0] as Record<string, unknown>;
    expect(t).toMatchObject({
      workerId: 'w-1',
      host: 'host-a',
      state: 'running',
      assignedPartitions: [0, 1],
      restartCount: 2,
      nextRestartAt: null,
      lastError: 'boom',
      lastFlushAt: now.toISOString(),
      recordsPerSec: 99.5,
      lag: 7,
      cpuPercent: 12.5,
      rssBytes: 123456789,
    });
    expect(t.heartbeatAgeSec).toBeGreaterThan(4);
    expect(t.heartbeatAgeSec).toBeLessThan(60);
    const none = await h.api('GET', '/api/v1/pipelines/00000000-0000-4000-8000-000000000000/tasks');
    expect(none.status).toBe(404);
  });

  it('DELETE refuses a running pipeline; force stops it and removes topics, group, tasks and record', async () => {
    const p = await create();
    // A real consumer group with committed offsets, as a worker would leave behind.
    const groupId = consumerGroupFor(p.id);
    const groups = async () => {
      // A short-lived admin: one that has fetched metadata of the deleted topics fails to refresh it.
      const admin = h.kafka.admin();
      await admin.connect();
      try {
        return (await admin.listGroups()).groups.map((g) => g.groupId);
      } finally {
        await admin.disconnect();
      }
    };
    const setter = h.kafka.admin();
    await setter.connect();
    await setter.setOffsets({ groupId, topic: p.topics.input, partitions: [{ partition: 0, offset: '0' }] });
    await setter.disconnect();
    expect(await groups()).toContain(groupId);
    await h.db('pipeline_tasks').insert({
      pipeline_id: p.id,
      worker_id: 'w-x',
      state: 'running',
      assigned_partitions: '[]',
      updated_at: new Date(),
    });

    const refused = await h.api('DELETE', `/api/v1/pipelines/${p.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'pipeline_running' });
    expect(await h.topicsOf(p.name)).toHaveLength(3);
    expect(await h.db('pipelines').where({ id: p.id }).first()).toMatchObject({
      version: 1,
      desired_status: 'running',
    });

    const stale = await h.api('DELETE', `/api/v1/pipelines/${p.id}?force=true`, {
      headers: { 'If-Match': '"7"' },
    });
    expect(stale.status).toBe(412);

    const forced = await h.api('DELETE', `/api/v1/pipelines/${p.id}?force=true`);
    expect(forced.status).toBe(204);
    expect(await h.topicsOf(p.name)).toEqual([]);
    expect(await groups()).not.toContain(groupId);
    expect(await h.db('pipelines').where({ id: p.id })).toEqual([]);
    expect(await h.db('pipeline_tasks').where({ pipeline_id: p.id })).toEqual([]);
    expect((await h.api('GET', `/api/v1/pipelines/${p.id}`)).status).toBe(404);
    expect((await h.api('DELETE', `/api/v1/pipelines/${p.id}`)).status).toBe(404);
  });

  it('DELETE of a stopped pipeline needs no force; the name can be used again', async () => {
    const p = await create({ status: 'stopped' });
    expect((await h.api('DELETE', `/api/v1/pipelines/${p.id}`)).status).toBe(204);
    expect(await h.topicsOf(p.name)).toEqual([]);
    const again = await h.api<Pipeline>('POST', '/api/v1/pipelines', {
      body: { name: p.name, index, partitions: 1 },
    });
    expect(again.status).toBe(201);
    expect(again.body.id).not.toBe(p.id);
  });
});
