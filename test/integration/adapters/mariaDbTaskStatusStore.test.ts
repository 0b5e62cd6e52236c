import type { Knex } from 'knex';
import { createMariaDbTaskStatusStore } from '../../../server/pipeline-worker/drivenadapters/mariaDbTaskStatusStore';
import type {
  TaskReport,
  TaskStatusStore,
  WorkerInfo,
} from '../../../server/pipeline-worker/interfaces/taskStatusStore';
import { randomName } from '../../helpers';
import { createMigratedDatabase, MigratedDatabase } from '../../helpers/adapter-env';

// createMariaDbTaskStatusStore on the real MariaDB: the rows of `workers` and `pipeline_tasks` a
// worker writes, read back with SQL.
describe('MariaDbTaskStatusStore', () => {
  let env: MigratedDatabase;
  let db: Knex;
  let store: TaskStatusStore;

  beforeAll(async () => {
    env = await createMigratedDatabase();
    db = env.db;
    store = createMariaDbTaskStatusStore({ db });
  });
  afterAll(() => env?.close());

  const aWorker = (over: Partial<WorkerInfo> = {}): WorkerInfo => ({
    id: randomName('w'),
    host: 'host-a',
    pid: 4242,
    version: '0.1.0',
    startedAt: new Date('2030-01-01T00:00:00.000Z'),
    ...over,
  });
  const aTask = (over: Partial<TaskReport> = {}): TaskReport => ({
    pipelineId: randomName('p'),
    state: 'running',
    assignedPartitions: [
      { topic: 't', partition: 0 },
      { topic: 't', partition: 2 },
    ],
    restartCount: 1,
    consecutiveFailures: 0,
    nextRestartAt: null,
    lastError: null,
    lastFlushAt: new Date('2030-01-01T00:01:00.000Z'),
    recordsIndexed: 120,
    recordsFailed: 3,
    recordsPerSec: 2.5,
    recordsFailedPerSec: 0.25,
    lag: 7,
    partitionLag: [
      { partition: 0, lag: 5 },
      { partition: 2, lag: 2 },
    ],
    lagGrowthPerMin: -1.5,
    pipelineVersion: 4,
    ...over,
  });
  const workerRow = (id: string) => db('workers').where({ id }).first();
  const taskRows = (workerId: string) =>
    db('pipeline_tasks').where({ worker_id: workerId }).orderBy('pipeline_id');

  it('registers a worker, and a heartbeat updates only its heartbeat and usage', async () => {
    const w = aWorker();
    await store.registerWorker(w);
    const registered = await workerRow(w.id);
    expect(registered).toMatchObject({ host: 'host-a', pid: 4242, version: '0.1.0', cpu_percent: 0 });
    expect(new Date(registered.started_at).toISOString()).toBe('2030-01-01T00:00:00.000Z');
    expect(Number(registered.rss_bytes)).toBeGreaterThan(0);

    await store.heartbeat({ ...w, host: 'elsewhere', pid: 1 }, { cpuPercent: 12.5, rssBytes: 123_456 });

    const beat = await workerRow(w.id);
    expect(beat).toMatchObject({ host: 'host-a', pid: 4242, cpu_percent: 12.5 });
    expect(Number(beat.rss_bytes)).toBe(123_456);
    expect(new Date(beat.heartbeat_at).getTime()).toBeGreaterThanOrEqual(
      new Date(registered.heartbeat_at).getTime(),
    );
  });

  it('re-creates the worker row on a heartbeat after it was removed', async () => {
    const w = aWorker();
    await store.registerWorker(w);
    await store.removeWorker(w.id);
    expect(await workerRow(w.id)).toBeUndefined();

    await store.heartbeat(w, { cpuPercent: 1, rssBytes: 1000 });

    expect(await workerRow(w.id)).toMatchObject({ id: w.id, host: 'host-a', cpu_percent: 1 });
  });

  it('saves task rows with every field, and a later save replaces them (one row per pipeline and worker)', async () => {
    const w = aWorker();
    await store.registerWorker(w);
    const [t1, t2] = [
      aTask(),
      aTask({ state: 'starting', partitionLag: null, lag: null, lagGrowthPerMin: null }),
    ];
    await store.saveTasks(w.id, [t1, t2]);

    const first = await taskRows(w.id);
    expect(first).toHaveLength(2);
    expect(first.find((r) => r.pipeline_id === t1.pipelineId)).toMatchObject({
      state: 'running',
      assigned_partitions: '[0,2]',
      restart_count: 1,
      records_per_sec: 2.5,
      records_failed_per_sec: 0.25,
      partition_lag: '[{"partition":0,"lag":5},{"partition":2,"lag":2}]',
      lag_growth_per_min: -1.5,
      pipeline_version: 4,
      last_error: null,
    });
    expect(first.find((r) => r.pipeline_id === t2.pipelineId)).toMatchObject({
      state: 'starting',
      partition_lag: null,
      lag: null,
      lag_growth_per_min: null,
    });

    const failedAt = new Date('2030-01-01T00:02:00.000Z');
    await store.saveTasks(w.id, [
      {
        ...t1,
        state: 'failed',
        consecutiveFailures: 3,
        nextRestartAt: failedAt,
        lastError: 'e'.repeat(9000),
      },
    ]);

    const second = await taskRows(w.id);
    expect(second).toHaveLength(2);
    const row = second.find((r) => r.pipeline_id === t1.pipelineId);
    expect(row).toMatchObject({ state: 'failed', consecutive_failures: 3 });
    expect(new Date(row.next_restart_at).toISOString()).toBe(failedAt.toISOString());
    expect(row.last_error).toBe('e'.repeat(8000));
    await expect(store.saveTasks(w.id, [])).resolves.toBeUndefined();
    expect(await taskRows(w.id)).toHaveLength(2);
  });

  it("removes one task, or a worker with all its tasks, leaving other workers' rows", async () => {
    const [w1, w2] = [aWorker(), aWorker()];
    const [ta, tb] = [aTask(), aTask()];
    for (const w of [w1, w2]) {
      await store.registerWorker(w);
      await store.saveTasks(w.id, [ta, tb]);
    }

    await store.removeTask(w1.id, ta.pipelineId);
    expect((await taskRows(w1.id)).map((r) => r.pipeline_id)).toEqual([tb.pipelineId]);
    expect(await taskRows(w2.id)).toHaveLength(2);

    await store.removeWorker(w1.id);
    expect(await workerRow(w1.id)).toBeUndefined();
    expect(await taskRows(w1.id)).toEqual([]);
    expect(await workerRow(w2.id)).toBeDefined();
    expect(await taskRows(w2.id)).toHaveLength(2);
  });

  it('removes workers silent for longer than the limit, with their tasks, and counts them', async () => {
    const [stale, fresh] = [aWorker(), aWorker()];
    for (const w of [stale, fresh]) {
      await store.registerWorker(w);
      await store.saveTasks(w.id, [aTask()]);
    }
    await db('workers')
      .where({ id: stale.id })
      .update({ heartbeat_at: new Date(Date.now() - 10 * 60_000) });

    expect(await store.removeStaleWorkers(5 * 60_000)).toBe(1);

    expect(await workerRow(stale.id)).toBeUndefined();
    expect(await taskRows(stale.id)).toEqual([]);
    expect(await workerRow(fresh.id)).toBeDefined();
    expect(await taskRows(fresh.id)).toHaveLength(1);
    expect(await store.removeStaleWorkers(5 * 60_000)).toBe(0);
  });
});
