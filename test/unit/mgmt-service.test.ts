import {
  ConflictError,
  DependencyError,
  InputError,
  NotFoundError,
  PreconditionFailedError,
} from '../../server/common/errors';
import { consumerGroupFor } from '../../server/common/pipelines';
import type { Actor } from '../../server/pipeline-mgmt/interfaces/actor';
import type { PipelineService } from '../../server/pipeline-mgmt/interfaces/pipelineService';
import { createPipelineService } from '../../server/pipeline-mgmt/logics/pipelineService';
import { testLogger } from '../helpers';
import {
  FakeIndices,
  FakeStore,
  FakeTasks,
  FakeTopics,
  Faults,
  OBSERVED_SETTINGS,
} from '../helpers/mgmt-fakes';

const actor: Actor = { user: 'alice', role: 'admin', team: null, tokenId: null };
const boom = () => new DependencyError('injected', { code: 'kafka_unavailable' });

function setup(options: { abandonedCreateAfterMs?: number; clock?: { now: number } } = {}) {
  const faults = new Faults();
  const store = new FakeStore(faults);
  const topics = new FakeTopics(faults);
  const indices = new FakeIndices(faults);
  indices.indices.set('logs', {});
  let n = 0;
  const clock = options.clock ?? { now: Date.parse('2030-01-01T00:00:00.000Z') };
  const service: PipelineService = createPipelineService({
    store,
    topics,
    indices,
    tasks: new FakeTasks(),
    logger: testLogger(),
    defaults: { partitions: 3, replicationFactor: 1 },
    observed: OBSERVED_SETTINGS,
    newId: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
    now: () => new Date((clock.now += 1)),
    abandonedCreateAfterMs: options.abandonedCreateAfterMs,
    groupDeleteWaitMs: 1000,
  });
  return { faults, store, topics, indices, service, clock };
}

describe('PipelineService.createPipeline', () => {
  it('reserves the name stopped, then creates index check, three topics and makes it running', async () => {
    const { service, store, topics, faults } = setup();
    const p = await service.createPipeline({ name: 'orders', index: 'logs' }, actor);
    expect(p).toMatchObject({
      name: 'orders',
      status: 'running',
      version: 1,
      partitions: 3,
      createdBy: 'alice',
    });
    expect([...topics.topics.keys()]).toEqual(['sdp.orders.input', 'sdp.orders.output', 'sdp.orders.error']);
    expect(faults.calls.filter((c) => !c.startsWith('store.get'))).toEqual([
      'store.reserve orders',
      'indices.exists logs',
      'topics.create sdp.orders.input',
      'topics.create sdp.orders.output',
      'topics.create sdp.orders.error',
      'store.activate',
    ]);
    expect(store.rows.get(p.id)?.lifecycle).toBe('ready');
  });

  it.each([
    ['topics.create', 1],
    ['topics.create', 2],
    ['topics.create', 3],
    ['store.activate', 1],
    ['indices.exists', 1],
  ])('a failure at %s (call %i) undoes every earlier step', async (call, onCall) => {
    const { service, store, topics, faults } = setup();
    faults.failOn(call, onCall, boom());
    await expect(service.createPipeline({ name: 'orders', index: 'logs' }, actor)).rejects.toThrow(
      'injected',
    );
    expect(topics.topics.size).toBe(0);
    expect(store.rows.size).toBe(0);
  });

  it('an index it created is deleted again when a topic fails; a pre-existing one is never touched', async () => {
    const { service, indices, faults } = setup();
    faults.failOn('topics.create', 2, boom());
    await expect(
      service.createPipeline({ name: 'a', index: 'fresh', createIndex: { mappings: {} } }, actor),
    ).rejects.toThrow('injected');
    expect(indices.indices.has('fresh')).toBe(false);
    faults.failOn('topics.create', 4, boom());
    await expect(service.createPipeline({ name: 'b', index: 'logs' }, actor)).rejects.toThrow('injected');
    expect(indices.indices.has('logs')).toBe(true);
    expect(faults.calls).not.toContain('indices.delete logs');
  });

  it('a pre-existing topic is a 409 topic_exists and is left alone', async () => {
    const { service, topics, store } = setup();
    topics.topics.set('sdp.orders.output', 9);
    const err = await service
      .createPipeline({ name: 'orders', index: 'logs' }, actor)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect(err).toMatchObject({ code: 'topic_exists' });
    expect([...topics.topics]).toEqual([['sdp.orders.output', 9]]);
    expect(store.rows.size).toBe(0);
  });

  it('keeps undoing when an undo step fails, and reports the original error', async () => {
    const { service, store, faults } = setup();
    faults.failOn('topics.create', 3, boom());
    faults.failOn('topics.delete', 1, new Error('delete failed'));
    await expect(service.createPipeline({ name: 'orders', index: 'logs' }, actor)).rejects.toThrow(
      'injected',
    );
    expect(store.rows.size).toBe(0); // the reservation was still released
  });

  it('a taken name is a 409 before anything is created', async () => {
    const { service, faults } = setup();
    await service.createPipeline({ name: 'orders', index: 'logs' }, actor);
    const before = faults.calls.length;
    await expect(service.createPipeline({ name: 'orders', index: 'logs' }, actor)).rejects.toMatchObject({
      code: 'pipeline_exists',
    });
    expect(faults.calls.slice(before).filter((c) => c.startsWith('topics.'))).toEqual([]);
  });

  it('a missing index is index_not_found unless createIndex; an existing one with createIndex is index_exists', async () => {
    const { service } = setup();
    await expect(service.createPipeline({ name: 'a', index: 'nope' }, actor)).rejects.toMatchObject({
      code: 'index_not_found',
    });
    await expect(
      service.createPipeline({ name: 'b', index: 'logs', createIndex: {} }, actor),
    ).rejects.toMatchObject({
      code: 'index_exists',
    });
    await expect(
      service.createPipeline({ name: 'c', index: 'new', createIndex: {} }, actor),
    ).resolves.toMatchObject({
      index: 'new',
    });
  });

  it('an abandoned creating record is cleaned up; a recent one still blocks the name', async () => {
    const clock = { now: Date.parse('2030-01-01T00:00:00.000Z') };
    const { service, store, topics, faults } = setup({ abandonedCreateAfterMs: 60_000, clock });
    faults.failOn('store.activate', 1, new Error('process died'));
    faults.failOn('store.removeReservation', 1, new Error('database gone'));
    await expect(service.createPipeline({ name: 'orders', index: 'logs' }, actor)).rejects.toThrow(
      'process died',
    );
    expect([...store.rows.values()].map((r) => r.lifecycle)).toEqual(['creating']);
    await expect(service.createPipeline({ name: 'orders', index: 'logs' }, actor)).rejects.toMatchObject({
      code: 'pipeline_exists',
    });
    topics.topics.set('sdp.orders.input', 1); // left over by the dead create
    clock.now += 120_000;
    const p = await service.createPipeline({ name: 'orders', index: 'logs', partitions: 2 }, actor);
    expect(p.status).toBe('running');
    expect(store.rows.size).toBe(1);
    expect(topics.topics.get('sdp.orders.input')).toBe(2);
  });
});

describe('PipelineService updates', () => {
  const make = async () => {
    const s = setup();
    s.indices.indices.set('other', {});
    const p = await s.service.createPipeline(
      {
        name: 'orders',
        index: 'logs',
        description: 'd',
        flush: { mib: 2 },
        idField: 'k',
        outputEnabled: false,
      },
      actor,
    );
    return { ...s, p };
  };
  const fields = {
    description: '',
    index: 'logs',
    flush: { mib: null, items: null, intervalSec: null },
    idField: null,
    outputEnabled: true,
  };

  it('replace sets every mutable field and bumps the version', async () => {
    const { service, p } = await make();
    const r = await service.replacePipeline(
      p.id,
      { ...fields, index: 'other' },
      {},
      { actor: { ...actor, user: 'bob' } },
    );
    expect(r).toMatchObject({ ...fields, index: 'other', version: 2, updatedBy: 'bob', createdBy: 'alice' });
  });

  it('patch merges flush and keeps the rest; an unchanged patch writes nothing', async () => {
    const { service, p } = await make();
    const r = await service.patchPipeline(p.id, { flush: { items: 5 } }, {}, { actor });
    expect(r).toMatchObject({ description: 'd', flush: { mib: 2, items: 5, intervalSec: null }, version: 2 });
    const same = await service.patchPipeline(p.id, { description: 'd' }, {}, { actor });
    expect(same.version).toBe(2);
  });

  it('refuses changed read-only fields and a stale version in the body', async () => {
    const { service, p } = await make();
    for (const echo of [
      { name: 'x' },
      { partitions: 9 },
      { topics: { ...p.topics, input: 'x' } },
      { status: 'stopped' as const },
    ]) {
      await expect(service.patchPipeline(p.id, {}, echo, { actor })).rejects.toMatchObject({
        code: 'immutable_field',
      });
    }
    await expect(service.patchPipeline(p.id, {}, { version: 7 }, { actor })).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
    const ok = await service.patchPipeline(p.id, { description: 'e' }, { ...p, updatedBy: 'zz' }, { actor });
    expect(ok.version).toBe(2);
  });

  it('If-Match: a stale version is 412, the current one or * passes', async () => {
    const { service, p } = await make();
    const stale = { kind: 'versions' as const, versions: [0] };
    await expect(
      service.patchPipeline(p.id, { description: 'x' }, {}, { actor, precondition: stale }),
    ).rejects.toBeInstanceOf(PreconditionFailedError);
    const cur = { kind: 'versions' as const, versions: [1] };
    await expect(
      service.patchPipeline(p.id, { description: 'x' }, {}, { actor, precondition: cur }),
    ).resolves.toMatchObject({ version: 2 });
    await expect(
      service.patchPipeline(p.id, { description: 'y' }, {}, { actor, precondition: { kind: 'any' } }),
    ).resolves.toMatchObject({ version: 3 });
  });

  it('a concurrent writer between read and write: retried without If-Match, 412 with it', async () => {
    const { service, store, p } = await make();
    let bumps = 1;
    store.beforeUpdate = (id) => {
      const row = store.rows.get(id);
      if (row && bumps-- > 0) row.pipeline.version += 1;
    };
    await expect(service.patchPipeline(p.id, { description: 'x' }, {}, { actor })).resolves.toMatchObject({
      version: 3,
    });
    bumps = 1;
    const cur = { kind: 'versions' as const, versions: [3] };
    await expect(
      service.patchPipeline(p.id, { description: 'y' }, {}, { actor, precondition: cur }),
    ).rejects.toBeInstanceOf(PreconditionFailedError);
  });

  it('status always bumps the version, even when unchanged', async () => {
    const { service, p } = await make();
    expect(await service.updatePipelineStatus(p.id, 'running', { actor })).toMatchObject({
      status: 'running',
      version: 2,
    });
    expect(await service.updatePipelineStatus(p.id, 'running', { actor })).toMatchObject({ version: 3 });
    expect(await service.updatePipelineStatus(p.id, 'stopped', { actor })).toMatchObject({
      status: 'stopped',
      version: 4,
    });
  });

  it('a moved index must exist', async () => {
    const { service, p } = await make();
    await expect(service.patchPipeline(p.id, { index: 'missing' }, {}, { actor })).rejects.toBeInstanceOf(
      InputError,
    );
  });

  it('unknown ids are 404', async () => {
    const { service } = setup();
    await expect(service.getPipeline('nope', actor)).rejects.toBeInstanceOf(NotFoundError);
    await expect(service.updatePipelineStatus('nope', 'running', { actor })).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });
});

describe('PipelineService.deletePipeline', () => {
  it('refuses a running pipeline without force and changes nothing', async () => {
    const { service, topics, store } = setup();
    const p = await service.createPipeline({ name: 'orders', index: 'logs' }, actor);
    await expect(service.deletePipeline(p.id, { actor, force: false })).rejects.toMatchObject({
      code: 'pipeline_running',
    });
    expect(topics.topics.size).toBe(3);
    expect(store.rows.get(p.id)?.pipeline).toEqual(p);
  });

  it('force stops it, then deletes topics, consumer group and record', async () => {
    const { service, topics, store } = setup();
    const p = await service.createPipeline({ name: 'orders', index: 'logs' }, actor);
    topics.groups.set(consumerGroupFor(p.id), 'empty');
    await service.deletePipeline(p.id, { actor, force: true });
    expect(topics.topics.size).toBe(0);
    expect(topics.groups.size).toBe(0);
    expect(store.rows.size).toBe(0);
  });

  it('waits a little for a busy group, then leaves it and still deletes', async () => {
    const { service, topics, store } = setup();
    const p = await service.createPipeline({ name: 'orders', index: 'logs', status: 'stopped' }, actor);
    topics.groups.set(consumerGroupFor(p.id), 'busy');
    topics.busyFor = Infinity;
    await service.deletePipeline(p.id, { actor, force: false });
    expect(store.rows.size).toBe(0);
    expect(topics.groups.size).toBe(1);
  });

  it('deletes a group that empties while it waits', async () => {
    const { service, topics, faults } = setup();
    const p = await service.createPipeline({ name: 'orders', index: 'logs', status: 'stopped' }, actor);
    topics.groups.set(consumerGroupFor(p.id), 'busy');
    topics.busyFor = 1;
    await service.deletePipeline(p.id, { actor, force: false });
    expect(topics.groups.size).toBe(0);
    expect(faults.calls.filter((c) => c.startsWith('topics.deleteGroup'))).toHaveLength(2);
  });

  it('a delete that fails half-way leaves a stopped, deleting record that refuses updates; a retry finishes it', async () => {
    const { service, topics, store, faults } = setup();
    const p = await service.createPipeline({ name: 'orders', index: 'logs' }, actor);
    faults.failOn('topics.delete', 1, boom());
    await expect(service.deletePipeline(p.id, { actor, force: true })).rejects.toThrow('injected');
    expect(store.rows.get(p.id)).toMatchObject({ lifecycle: 'deleting', pipeline: { status: 'stopped' } });
    await expect(service.updatePipelineStatus(p.id, 'running', { actor })).rejects.toMatchObject({
      code: 'pipeline_deleting',
    });
    await service.deletePipeline(p.id, {
      actor,
      force: false,
      precondition: { kind: 'versions', versions: [1] },
    });
    expect(store.rows.size).toBe(0);
    expect(topics.topics.size).toBe(0);
  });
});

describe('PipelineService.listPipelines', () => {
  it('pages with an opaque cursor and rejects a forged one', async () => {
    const { service } = setup();
    for (const name of ['a', 'b', 'c']) await service.createPipeline({ name, index: 'logs' }, actor);
    const first = await service.listPipelines({ limit: 2 }, actor);
    expect(first.items.map((p) => p.name)).toEqual(['a', 'b']);
    const second = await service.listPipelines({ limit: 2, cursor: first.nextCursor ?? undefined }, actor);
    expect(second).toMatchObject({ items: [{ name: 'c' }], nextCursor: null });
    await expect(service.listPipelines({ limit: 2, cursor: 'abc' }, actor)).rejects.toMatchObject({
      code: 'invalid_cursor',
    });
  });
});
