import type { TaskStatus } from '../../server/pipeline-mgmt/interfaces/taskStatusReader';
import { OBSERVED_SETTINGS } from '../helpers/mgmt-fakes';
import { observePipeline } from '../../server/pipeline-mgmt/logics/observedStatus';

const NOW = new Date('2025-01-01T12:00:00Z');
const LONG_AGO = '2025-01-01T10:00:00.000Z';
const settings = OBSERVED_SETTINGS; // heartbeat 30 s, lag 1000, error rate 5 %

function task(over: Partial<TaskStatus> = {}): TaskStatus {
  return {
    workerId: 'w1',
    host: 'h',
    state: 'running',
    assignedPartitions: [0, 1],
    restartCount: 0,
    consecutiveFailures: 0,
    nextRestartAt: null,
    lastError: null,
    lastFlushAt: null,
    recordsIndexed: 0,
    recordsFailed: 0,
    recordsPerSec: 100,
    recordsFailedPerSec: 0,
    lag: 0,
    partitionLag: [],
    lagGrowthPerMin: 0,
    pipelineVersion: 1,
    cpuPercent: 1,
    rssBytes: 1,
    heartbeatAgeSec: 2,
    updatedAt: NOW.toISOString(),
    ...over,
  };
}

const running = { status: 'running' as const, partitions: 2, updatedAt: LONG_AGO };
const observe = (tasks: TaskStatus[], p: Partial<typeof running> | { status: 'stopped' } = {}) =>
  observePipeline({ ...running, ...p }, tasks, settings, NOW);

describe('observed status', () => {
  it('running when every partition has a healthy live task; sums rates and lag', () => {
    const o = observe([
      task({ assignedPartitions: [0], lag: 3, recordsPerSec: 10, recordsFailedPerSec: 0.2 }),
      task({ workerId: 'w2', assignedPartitions: [1], lag: 4, recordsPerSec: 20, heartbeatAgeSec: 5 }),
    ]);
    expect(o).toEqual({
      status: 'running',
      reason: null,
      tasks: { total: 2, live: 2, running: 2, starting: 0, failed: 0 },
      lag: 7,
      lagGrowthPerMin: 0,
      recordsPerSec: 30,
      errorRate: 0.0066,
      heartbeatAgeSec: 5,
    });
  });

  it('failed when a live task failed, with its error', () => {
    const o = observe([task(), task({ workerId: 'w2', state: 'failed', lastError: 'bulk 503' })]);
    expect(o.status).toBe('failed');
    expect(o.reason).toBe('task on worker w2 failed: bulk 503');
  });

  it('failed when no worker heartbeat is recent (a killed worker); starting within the grace period', () => {
    const dead = observe([task({ heartbeatAgeSec: 95 })]);
    expect(dead).toMatchObject({ status: 'failed', heartbeatAgeSec: 95, tasks: { total: 1, live: 0 } });
    expect(dead.reason).toMatch(/no live worker.*95 s ago/);
    expect(observe([]).status).toBe('failed');
    expect(observe([], { updatedAt: new Date(NOW.getTime() - 5000).toISOString() }).status).toBe('starting');
  });

  it('degraded when a worker went silent beside live ones, or a partition has no live task', () => {
    const o = observe([task({ assignedPartitions: [0, 1] }), task({ workerId: 'w2', heartbeatAgeSec: 60 })]);
    expect(o.status).toBe('degraded');
    expect(o.reason).toMatch(/worker w2 silent for 60 s/);
    const gap = observe([task({ assignedPartitions: [0] })]);
    expect(gap).toMatchObject({ status: 'degraded', reason: 'partition(s) 1 assigned to no live task' });
  });

  it('degraded while a task retries, when the error rate passes the threshold, or the lag grows past its threshold', () => {
    expect(observe([task({ consecutiveFailures: 2, lastError: 'ECONNREFUSED' })]).reason).toMatch(
      /retrying \(2 failed attempts in a row\): ECONNREFUSED/,
    );
    const errors = observe([task({ recordsPerSec: 90, recordsFailedPerSec: 10 })]);
    expect(errors).toMatchObject({ status: 'degraded', errorRate: 0.1 });
    expect(errors.reason).toMatch(/10% of records failed/);
    expect(observe([task({ lag: 5000, lagGrowthPerMin: 800 })]).reason).toMatch(
      /lag 5000 records and growing/,
    );
    // A large lag that shrinks is a catch-up, not a problem; a small growing one is noise.
    expect(observe([task({ lag: 5000, lagGrowthPerMin: -800 })]).status).toBe('running');
    expect(observe([task({ lag: 50, lagGrowthPerMin: 50 })]).status).toBe('running');
  });

  it('starting while the tasks start; stopping then stopped for a stopped pipeline', () => {
    expect(observe([task({ state: 'starting' })]).status).toBe('starting');
    expect(observe([task({ state: 'stopped' })]).status).toBe('failed');
    expect(observe([task()], { status: 'stopped' })).toMatchObject({ status: 'stopping' });
    expect(observe([task({ state: 'stopped' })], { status: 'stopped' }).status).toBe('stopped');
    expect(observe([], { status: 'stopped' })).toMatchObject({
      status: 'stopped',
      heartbeatAgeSec: null,
      lag: null,
    });
  });
});
