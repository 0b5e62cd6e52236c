import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { ZERO_COUNTERS } from '../../../server/common/replays';
import { createMariaDbReplayRecords } from '../../../server/pipeline-mgmt/drivenadapters/mariaDbReplayRecords';
import type { ReplayRecords } from '../../../server/pipeline-mgmt/interfaces/replayStore';
import { createMariaDbReplayStore } from '../../../server/pipeline-worker/drivenadapters/mariaDbReplayStore';
import type { ReplayStore } from '../../../server/pipeline-worker/interfaces/replayStore';
import { createMigratedDatabase, MigratedDatabase } from '../../helpers/adapter-env';

// The replays table on the real MariaDB: pipeline-mgmt creates and cancels rows, workers claim
// them (one winner of a race), take over stale claims, and write only while they hold them.
describe('pipeline_replays: mgmt records and the worker store', () => {
  let env: MigratedDatabase;
  let db: Knex;
  let records: ReplayRecords;
  let clock = Date.parse('2030-01-01T00:00:00.000Z');
  let store: ReplayStore;

  beforeAll(async () => {
    env = await createMigratedDatabase();
    db = env.db;
    records = createMariaDbReplayRecords({ db });
    store = createMariaDbReplayStore({ db, now: () => new Date(clock) });
  });
  afterAll(() => env?.close());
  beforeEach(async () => {
    await db('pipeline_replays').del();
  });

  const create = (pipelineId = randomUUID()) =>
    records.insert({
      id: randomUUID(),
      pipelineId,
      filter: { stage: 'schema', if: 'doc.attempts < 3' },
      options: { dryRun: false, maxRecords: 100, ratePerSec: 50 },
      startOffsets: { '0': '0', '1': '2' },
      endOffsets: { '0': '10', '1': '12' },
      createdBy: 'editor-a',
      createdAt: new Date(clock),
    });
  const progress = (pos: string) => ({
    positions: { '0': pos },
    counters: { ...ZERO_COUNTERS, scanned: Number(pos), matched: 1 },
    report: null,
  });

  it("stores what mgmt created and reads it back; lists a pipeline's replays by status", async () => {
    const r = await create();
    expect(r).toMatchObject({
      status: 'running',
      filter: { stage: 'schema', if: 'doc.attempts < 3' },
      options: { dryRun: false, maxRecords: 100, ratePerSec: 50 },
      endOffsets: { '0': '10', '1': '12' },
      positions: {},
      counters: ZERO_COUNTERS,
      ownerWorker: null,
      claims: 0,
    });
    expect(await records.get(r.pipelineId, r.id)).toEqual(r);
    expect(await records.get(randomUUID(), r.id)).toBeNull();
    expect(
      (await records.list(r.pipelineId, { limit: 10, status: 'running' })).items.map((x) => x.id),
    ).toEqual([r.id]);
    expect((await records.list(r.pipelineId, { limit: 10, status: 'failed' })).items).toEqual([]);
  });

  it('of workers racing for a replay exactly one claims it', async () => {
    const r = await create();
    const claims = await Promise.all(['w1', 'w2', 'w3', 'w4'].map((w) => store.claim(w, 30_000)));
    const winners = claims.filter((c) => c !== null);
    expect(winners).toHaveLength(1);
    expect(winners[0]).toMatchObject({ id: r.id, claims: 1 });
    expect((await records.get(r.pipelineId, r.id))!.ownerWorker).toBe(winners[0]!.ownerWorker);
  });

  it('a stale claim is taken over with its progress; the old owner can no longer write', async () => {
    const r = await create();
    expect(await store.claim('w1', 30_000)).toMatchObject({ id: r.id });
    expect(await store.saveProgress(r.id, 'w1', progress('4'))).toBe('mine');
    expect(await store.claim('w2', 30_000)).toBeNull(); // w1's heartbeat is fresh
    clock += 31_000;
    const taken = await store.claim('w2', 30_000);
    expect(taken).toMatchObject({ id: r.id, ownerWorker: 'w2', claims: 2, positions: { '0': '4' } });
    expect(await store.saveProgress(r.id, 'w1', progress('8'))).toBe('lost');
    expect(await store.heartbeat(r.id, 'w1')).toBe('lost');
    expect(await store.finish(r.id, 'w1', { status: 'succeeded' })).toBe('lost');
    expect((await records.get(r.pipelineId, r.id))!.positions).toEqual({ '0': '4' });
    expect(await store.finish(r.id, 'w2', { status: 'failed', reason: 'why', progress: progress('6') })).toBe(
      'mine',
    );
    expect(await records.get(r.pipelineId, r.id)).toMatchObject({
      status: 'failed',
      reason: 'why',
      positions: { '0': '6' },
      endedAt: new Date(clock).toISOString(),
    });
    expect(await store.claim('w3', 0)).toBeNull(); // ended: nobody takes it
  });

  it('a cancel is seen by the owner; progress is still saved, the status stays cancelled', async () => {
    const r = await create();
    await store.claim('w1', 30_000);
    expect(await records.cancel(r.pipelineId, r.id, 'cancelled by editor-a', new Date(clock))).toBe(true);
    expect(await records.cancel(r.pipelineId, r.id, 'again', new Date(clock))).toBe(false);
    expect(await store.heartbeat(r.id, 'w1')).toBe('cancelled');
    expect(await store.saveProgress(r.id, 'w1', progress('3'))).toBe('cancelled');
    expect(await store.finish(r.id, 'w1', { status: 'succeeded' })).toBe('cancelled');
    expect(await records.get(r.pipelineId, r.id)).toMatchObject({
      status: 'cancelled',
      reason: 'cancelled by editor-a',
      positions: { '0': '3' },
    });
  });

  it('a released claim is taken at once by another worker and does not count as lost', async () => {
    const r = await create();
    await store.claim('w1', 30_000);
    await store.release(r.id, 'w1', progress('5'));
    const next = await store.claim('w2', 30_000);
    expect(next).toMatchObject({ id: r.id, ownerWorker: 'w2', claims: 1, positions: { '0': '5' } });
  });
});
