import type { Knex } from 'knex';
import type { Pipeline } from '../../../server/common/pipelines';
import { createMariaDbPipelineStore } from '../../../server/pipeline-mgmt/drivenadapters/mariaDbPipelineStore';
import type { AuditAction, AuditDraft } from '../../../server/pipeline-mgmt/interfaces/auditLog';
import type { PipelineStore } from '../../../server/pipeline-mgmt/interfaces/pipelineStore';
import { aPipeline } from '../../fixtures/pipelines';
import { randomName } from '../../helpers';
import { createMigratedDatabase, MigratedDatabase } from '../../helpers/adapter-env';

// createMariaDbPipelineStore on the real MariaDB, one migrated database for the suite. Every test
// makes its own pipelines (random names) and reads the outcome back with SQL.
describe('MariaDbPipelineStore', () => {
  let env: MigratedDatabase;
  let db: Knex;
  let store: PipelineStore;

  beforeAll(async () => {
    env = await createMigratedDatabase();
    db = env.db;
    store = createMariaDbPipelineStore({ db });
  });
  afterAll(() => env?.close());

  const auditOf = (action: AuditAction, p: Pipeline): AuditDraft => ({
    action,
    actor: { user: 'alice', role: 'admin', team: null, tokenId: null, requestId: 'req-1' },
    target: { type: 'pipeline', id: p.id, name: p.name },
    team: p.team,
    details: { why: 'test' },
  });
  const auditRows = (targetId: string) =>
    db('audit_log')
      .where({ target_id: targetId })
      .orderBy('id')
      .select('action', 'actor_name', 'version_before', 'version_after', 'details', 'request_id');
  const rowOf = (id: string) => db('pipelines').where({ id }).first();

  /** Reserves and activates a pipeline: a `ready` record, as a finished create leaves it. */
  const readyPipeline = async (over: Partial<Pipeline> = {}, status: Pipeline['status'] = 'running') => {
    const p = aPipeline(over);
    expect(await store.reserve(p, { indexCreated: false })).toEqual({ result: 'reserved' });
    const activated = await store.activate(
      p.id,
      status,
      new Date(p.createdAt),
      auditOf('pipeline.create', p),
    );
    if (activated.result !== 'activated') throw new Error(`activate: ${activated.result}`);
    return activated.pipeline;
  };

  describe('reserve', () => {
    it('inserts the record in `creating`, stopped whatever status it asks for, and remembers indexCreated', async () => {
      const p = aPipeline({
        status: 'running',
        team: 'team-a',
        flush: { mib: 2, items: 10, intervalSec: 1.5 },
      });
      expect(await store.reserve(p, { indexCreated: true })).toEqual({ result: 'reserved' });

      expect(await rowOf(p.id)).toMatchObject({
        name: p.name,
        lifecycle: 'creating',
        index_created: 1,
        desired_status: 'stopped',
        version: 1,
      });
      expect(await store.get(p.id)).toEqual({
        pipeline: { ...p, status: 'stopped' },
        lifecycle: 'creating',
        indexCreated: true,
      });
      expect((await store.getByName(p.name))?.pipeline.id).toBe(p.id);
    });

    it('answers `taken` with the holder of the name when it is already reserved', async () => {
      const first = aPipeline();
      await store.reserve(first, { indexCreated: false });
      const second = aPipeline({ name: first.name });

      expect(await store.reserve(second, { indexCreated: false })).toEqual({
        result: 'taken',
        existing: {
          pipeline: expect.objectContaining({ id: first.id, createdAt: first.createdAt }),
          lifecycle: 'creating',
          indexCreated: false,
        },
      });
      expect(await db('pipelines').where({ name: first.name }).pluck('id')).toEqual([first.id]);
    });

    it('lets exactly one of two concurrent reserves of one name win, and tells the loser who holds it', async () => {
      for (let round = 0; round < 5; round++) {
        const name = randomName('race');
        const [a, b] = [aPipeline({ name }), aPipeline({ name })];
        const results = await Promise.all([
          store.reserve(a, { indexCreated: false }),
          store.reserve(b, { indexCreated: false }),
        ]);

        const winners = results.filter((r) => r.result === 'reserved');
        expect(winners).toHaveLength(1);
        const ids = await db('pipelines').where({ name }).pluck('id');
        expect(ids).toHaveLength(1);
        const loser = results.find((r) => r.result === 'taken');
        expect(loser).toEqual({
          result: 'taken',
          existing: {
            pipeline: expect.objectContaining({ id: ids[0], createdAt: expect.any(String) }),
            lifecycle: 'creating',
            indexCreated: false,
          },
        });
      }
    });
  });

  describe('activate', () => {
    it('makes the record `ready` with the requested status, and writes the create audit in the same change', async () => {
      const p = aPipeline();
      await store.reserve(p, { indexCreated: false });
      const at = new Date(Date.parse(p.createdAt) + 1234);

      const activated = await store.activate(p.id, 'running', at, auditOf('pipeline.create', p));

      expect(activated).toEqual({
        result: 'activated',
        pipeline: { ...p, status: 'running', updatedAt: at.toISOString() },
      });
      if (activated.result !== 'activated') return;
      const active = activated.pipeline;
      expect(await store.get(p.id)).toEqual({ pipeline: active, lifecycle: 'ready', indexCreated: false });
      expect(await auditRows(p.id)).toEqual([
        {
          action: 'pipeline.create',
          actor_name: 'alice',
          version_before: null,
          version_after: 1,
          details: JSON.stringify({ why: 'test' }),
          request_id: 'req-1',
        },
      ]);
    });

    it('refuses a record that is no longer `creating` (already active, or the reservation removed) and writes no audit', async () => {
      const active = await readyPipeline();
      await expect(
        store.activate(active.id, 'stopped', new Date(), auditOf('pipeline.create', active)),
      ).resolves.toEqual({ result: 'taken_over' });
      expect(await rowOf(active.id)).toMatchObject({ lifecycle: 'ready', desired_status: 'running' });

      const undone = aPipeline();
      await store.reserve(undone, { indexCreated: false });
      await store.removeReservation(undone.id);
      await expect(
        store.activate(undone.id, 'running', new Date(), auditOf('pipeline.create', undone)),
      ).resolves.toEqual({ result: 'taken_over' });
      expect(await rowOf(undone.id)).toBeUndefined();
      expect(await auditRows(undone.id)).toEqual([]);
      expect(await auditRows(active.id)).toHaveLength(1);
    });
  });

  it('markIndexCreated sets index_created; removeReservation deletes only a record still `creating`', async () => {
    const p = aPipeline();
    await store.reserve(p, { indexCreated: false });
    await store.markIndexCreated(p.id);
    expect((await store.get(p.id))?.indexCreated).toBe(true);

    const active = await readyPipeline();
    await store.removeReservation(active.id);
    expect((await store.get(active.id))?.lifecycle).toBe('ready');

    await store.removeReservation(p.id);
    expect(await store.get(p.id)).toBeUndefined();
  });

  describe('update (compare-and-set on version)', () => {
    const change = (fields: Record<string, unknown>, at = new Date()) => ({
      fields,
      updatedBy: 'bob',
      updatedAt: at,
    });

    it('applies the change at the expected version, bumps it, and writes the audit with both versions', async () => {
      const p = await readyPipeline({ idField: 'k' });
      const at = new Date(Date.parse(p.createdAt) + 5000);
      const r = await store.update(p.id, 1, {
        ...change({ description: 'new', flush: { mib: 4, items: null, intervalSec: 2 }, idField: null }, at),
        status: 'stopped',
        audit: auditOf('pipeline.update', p),
      });

      const expected: Pipeline = {
        ...p,
        description: 'new',
        flush: { mib: 4, items: null, intervalSec: 2 },
        idField: null,
        status: 'stopped',
        version: 2,
        updatedBy: 'bob',
        updatedAt: at.toISOString(),
      };
      expect(r).toEqual({ result: 'updated', pipeline: expected });
      expect((await store.get(p.id))?.pipeline).toEqual(expected);
      expect(await auditRows(p.id)).toEqual([
        expect.objectContaining({ action: 'pipeline.create', version_before: null, version_after: 1 }),
        expect.objectContaining({ action: 'pipeline.update', version_before: 1, version_after: 2 }),
      ]);
    });

    it('refuses a stale version and leaves the record and the audit log as they were', async () => {
      const p = await readyPipeline();
      expect((await store.update(p.id, 1, change({ description: 'first' }))).result).toBe('updated');

      const stale = await store.update(p.id, 1, {
        ...change({ description: 'second', index: 'elsewhere' }),
        audit: auditOf('pipeline.update', p),
      });

      expect(stale).toEqual({ result: 'stale' });
      expect(await rowOf(p.id)).toMatchObject({ version: 2, description: 'first', index_name: p.index });
      expect(await auditRows(p.id)).toHaveLength(1);
    });

    it('lets exactly one of two concurrent updates at the same version win', async () => {
      const p = await readyPipeline();
      const results = await Promise.all([
        store.update(p.id, 1, change({ description: 'a' })),
        store.update(p.id, 1, change({ description: 'b' })),
      ]);

      expect(results.map((r) => r.result).sort()).toEqual(['stale', 'updated']);
      const winner = results.find((r) => r.result === 'updated');
      const row = await rowOf(p.id);
      expect(row).toMatchObject({ version: 2 });
      expect(winner).toMatchObject({ pipeline: { description: row.description, version: 2 } });
    });

    it('answers `gone` for a record that does not exist', async () => {
      expect(await store.update(aPipeline().id, 1, change({ description: 'x' }))).toEqual({ result: 'gone' });
    });
  });

  describe('list (keyset pagination on created_at, id)', () => {
    /** Every page of a query, followed by its cursor. */
    const allPages = async (query: {
      limit: number;
      team?: string;
      namePrefix?: string;
      status?: 'running' | 'stopped';
    }) => {
      const pages: string[][] = [];
      let after: { createdAt: string; id: string } | undefined;
      for (let i = 0; i < 50; i++) {
        const page = await store.list({ ...query, after });
        pages.push(page.items.map((p) => p.id));
        if (!page.next) return pages;
        after = page.next;
      }
      throw new Error('more than 50 pages');
    };

    it('walks pipelines with the same created_at in id order, each exactly once, across page boundaries', async () => {
      const team = randomName('team');
      const tie = '2030-06-01T12:00:00.123Z';
      const tied = await Promise.all(
        Array.from({ length: 7 }, () => readyPipeline({ team, createdAt: tie, updatedAt: tie })),
      );
      const before = await readyPipeline({
        team,
        createdAt: '2030-06-01T12:00:00.122Z',
        updatedAt: '2030-06-01T12:00:00.122Z',
      });
      const later = await readyPipeline({
        team,
        createdAt: '2030-06-01T12:00:00.124Z',
        updatedAt: '2030-06-01T12:00:00.124Z',
      });
      // A record still being created is never listed.
      await store.reserve(aPipeline({ team, createdAt: tie }), { indexCreated: false });

      const expected = [before.id, ...tied.map((p) => p.id).sort(), later.id];
      for (const limit of [1, 2, 3, 9, 10]) {
        const pages = await allPages({ limit, team });
        expect({ limit, ids: pages.flat() }).toEqual({ limit, ids: expected });
        expect(pages.slice(0, -1).every((page) => page.length === limit)).toBe(true);
      }
      // Exactly one full page: no cursor, so no empty page after it.
      expect(await store.list({ limit: expected.length, team })).toEqual({
        items: expect.any(Array),
      });
    });

    it('filters by team, status and a literal name prefix (`_` and `%` are not wildcards)', async () => {
      const team = randomName('team');
      const stem = randomName('pre');
      const underscore = await readyPipeline({ team, name: `${stem}_a` }, 'running');
      await readyPipeline({ team, name: `${stem}xa` }, 'running');
      const stopped = await readyPipeline({ team, name: `${stem}_b` }, 'stopped');
      await readyPipeline({ team: randomName('other'), name: `${stem}_c` }, 'running');

      const ids = async (q: { namePrefix?: string; status?: 'running' | 'stopped' }) =>
        (await allPages({ limit: 10, team, ...q })).flat().sort();
      expect(await ids({ namePrefix: `${stem}_` })).toEqual([underscore.id, stopped.id].sort());
      expect(await ids({ namePrefix: `${stem}_`, status: 'stopped' })).toEqual([stopped.id]);
      expect(await ids({ namePrefix: `${stem}%` })).toEqual([]);
    });
  });

  describe('remove', () => {
    it('deletes the record and its task rows and writes the delete audit with the last version', async () => {
      const p = await readyPipeline();
      await store.update(p.id, 1, { updatedBy: 'bob', updatedAt: new Date(), status: 'stopped' });
      const other = await readyPipeline();
      const task = (pipelineId: string, workerId: string) => ({
        pipeline_id: pipelineId,
        worker_id: workerId,
        state: 'running',
        assigned_partitions: '[0]',
        updated_at: new Date(),
      });
      await db('pipeline_tasks').insert([task(p.id, 'w1'), task(p.id, 'w2'), task(other.id, 'w1')]);

      await store.remove(p.id, auditOf('pipeline.delete', p));

      expect(await store.get(p.id)).toBeUndefined();
      expect(
        await db('pipeline_tasks').whereIn('pipeline_id', [p.id, other.id]).pluck('pipeline_id'),
      ).toEqual([other.id]);
      expect((await auditRows(p.id)).at(-1)).toMatchObject({
        action: 'pipeline.delete',
        version_before: 2,
        version_after: null,
      });
      expect(await store.get(other.id)).toBeDefined();
    });

    it('writes no audit for a record that does not exist', async () => {
      const ghost = aPipeline();
      await store.remove(ghost.id, auditOf('pipeline.delete', ghost));
      expect(await auditRows(ghost.id)).toEqual([]);
    });
  });
});
