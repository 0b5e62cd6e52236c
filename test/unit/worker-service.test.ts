import type { Pipeline } from '../../server/common/pipelines';
import type { TaskReport, TaskStatusStore } from '../../server/pipeline-worker/interfaces/taskStatusStore';
import {
  crashCause,
  restartDelayMs,
  settingsChanged,
} from '../../server/pipeline-worker/logics/restartPolicy';
import type { Task, TaskSnapshot } from '../../server/pipeline-worker/logics/task';
import { createWorkerService } from '../../server/pipeline-worker/logics/workerService';
import { createLogger, type Logger } from '../../server/common/logger';
import { testLogger, waitFor } from '../helpers';

function pipeline(id: string, over: Partial<Pipeline> = {}): Pipeline {
  return {
    id,
    name: id,
    description: '',
    index: `idx-${id}`,
    topics: { input: `${id}.in`, output: `${id}.out`, error: `${id}.err` },
    partitions: 1,
    replicationFactor: 1,
    flush: { mib: null, items: null, intervalSec: null },
    idField: null,
    outputEnabled: true,
    processors: [],
    indexTemplate: null,
    schema: null,
    tests: [],
    status: 'running',
    version: 1,
    team: null,
    createdBy: 't',
    updatedBy: 't',
    createdAt: '',
    updatedAt: '',
    ...over,
  };
}

class FakeTask implements Task {
  state: TaskSnapshot['state'] = 'starting';
  stopCalls = 0;
  flushes = 0;
  constructor(
    readonly pipeline: Pipeline,
    private readonly onFailed: (e: Error) => void,
  ) {}
  async start() {
    this.state = 'running';
  }
  async stop() {
    this.stopCalls++;
    if (this.state !== 'failed') this.state = 'stopped';
  }
  fail(error = new Error('bulk request failed (503)')) {
    this.state = 'failed';
    this.onFailed(error);
  }
  snapshot(): TaskSnapshot {
    return {
      state: this.state,
      assignedPartitions: [],
      consecutiveFailures: this.state === 'failed' ? 3 : 0,
      lastError: this.state === 'failed' ? 'bulk request failed (503)' : null,
      backingOff: false,
      lastFlushAt: null,
      recordsIndexed: 10,
      recordsFailed: 1,
      successfulFlushes: this.flushes,
      bufferedItems: 0,
      inFlightItems: 0,
      bufferedBytes: 0,
      inFlightBytes: 0,
      bufferFill: 0,
      paused: false,
    };
  }
}

class MemoryStore implements TaskStatusStore {
  rows = new Map<string, TaskReport>();
  workers = new Set<string>();
  async registerWorker(w: { id: string }) {
    this.workers.add(w.id);
  }
  async heartbeat(w: { id: string }) {
    this.workers.add(w.id);
  }
  async saveTasks(_w: string, tasks: TaskReport[]) {
    for (const t of tasks) this.rows.set(t.pipelineId, t);
  }
  async removeTask(_w: string, id: string) {
    this.rows.delete(id);
  }
  async removeWorker(id: string) {
    this.workers.delete(id);
    this.rows.clear();
  }
  async removeStaleWorkers() {
    return 0;
  }
}

/** A logger whose JSON lines the test reads. */
function capturingLogger(): { logger: Logger; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const logger = createLogger(
    { name: 'test', logLevel: 'info', developMode: false },
    { write: (c: string) => void chunks.push(c) },
  );
  const lines = () =>
    chunks
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { logger, lines };
}

function setup(watchIntervalMs = 50, logger: Logger = testLogger()) {
  let list: Pipeline[] | Error = [];
  const tasks: FakeTask[] = [];
  const store = new MemoryStore();
  const service = createWorkerService({
    worker: { id: 'w1', host: 'h', pid: 1, version: '0', startedAt: new Date() },
    pipelines: {
      listActive: async () => {
        if (list instanceof Error) throw list;
        return list;
      },
    },
    statusStore: store,
    lagReader: null,
    createTask: (p, onFailed) => {
      const t = new FakeTask(p, onFailed);
      tasks.push(t);
      return t;
    },
    usage: () => ({ cpuPercent: 1, rssBytes: 2 }),
    logger,
    options: {
      pollIntervalMs: 20,
      reportIntervalMs: 20,
      watchIntervalMs,
      drainMs: 100,
      staleWorkerMs: 1000,
      staleSweepEveryReports: 20,
    },
  });
  return { service, tasks, store, set: (ps: Pipeline[] | Error) => (list = ps) };
}

const running = (tasks: FakeTask[], id: string) =>
  tasks.filter((t) => t.pipeline.id === id && t.state === 'running');

describe('worker service', () => {
  it('runs one task per running pipeline and follows create / stop / delete', async () => {
    const { service, tasks, store, set } = setup();
    set([pipeline('a'), pipeline('b', { status: 'stopped' })]);
    await service.start();
    await waitFor(() => running(tasks, 'a').length === 1, { timeoutMs: 2000 });
    expect(tasks.filter((t) => t.pipeline.id === 'b')).toHaveLength(0);
    set([pipeline('a', { status: 'stopped', version: 2 }), pipeline('b', { version: 2 })]);
    await waitFor(() => running(tasks, 'b').length === 1 && tasks[0]!.state === 'stopped', {
      timeoutMs: 2000,
    });
    await waitFor(() => store.rows.get('a')?.state === 'stopped', { timeoutMs: 2000 });
    set([pipeline('a', { status: 'stopped', version: 2 })]); // b deleted
    await waitFor(() => !service.tasks().some((v) => v.pipelineId === 'b') && !store.rows.has('b'), {
      timeoutMs: 2000,
    });
    await service.stop();
    expect(store.workers.size).toBe(0);
  });

  it('restarts a failed task after the watch interval (watcher), with backoff', async () => {
    const { service, tasks, store, set } = setup(150);
    set([pipeline('a')]);
    await service.start();
    await waitFor(() => running(tasks, 'a').length === 1, { timeoutMs: 2000 });
    const failedAt = Date.now();
    tasks[0]!.fail();
    await waitFor(() => store.rows.get('a')?.state === 'failed', { timeoutMs: 2000, intervalMs: 2 });
    expect(store.rows.get('a')).toMatchObject({
      lastError: 'bulk request failed (503)',
      consecutiveFailures: 3,
    });
    expect(store.rows.get('a')!.nextRestartAt).toBeInstanceOf(Date);
    await waitFor(() => running(tasks, 'a').length === 1 && tasks.length === 2, { timeoutMs: 2000 });
    expect(Date.now() - failedAt).toBeGreaterThanOrEqual(140);
    expect(service.tasks().find((v) => v.pipelineId === 'a')!.restartCount).toBe(1);
    // Failing again without a successful flush doubles the wait.
    const again = Date.now();
    tasks[1]!.fail();
    await waitFor(() => tasks.length === 3 && tasks[2]!.state === 'running', { timeoutMs: 3000 });
    expect(Date.now() - again).toBeGreaterThanOrEqual(290);
    await service.stop();
  });

  it('decides and logs each crash once, from its root cause: a permanent one waits the longest', async () => {
    const { logger, lines } = capturingLogger();
    const { service, tasks, set } = setup(1000, logger);
    set([pipeline('a')]);
    await service.start();
    await waitFor(() => running(tasks, 'a').length === 1, { timeoutMs: 2000 });
    const before = Date.now();
    const denied = Object.assign(new Error('TOPIC_AUTHORIZATION_FAILED'), { retriable: false });
    tasks[0]!.fail(new Error('produce to sdp.a.error failed', { cause: denied }));
    const entry = service.tasks().find((v) => v.pipelineId === 'a')!;
    expect(entry.nextRestartAt! - before).toBeGreaterThanOrEqual(8000); // 8 watch intervals at once
    const crashes = lines().filter((l) => l.msg === 'task crashed');
    expect(crashes).toHaveLength(1);
    expect(crashes[0]).toMatchObject({
      level: 'error',
      pipelineId: 'a',
      cause: 'permanent',
      rootName: 'Error',
      bug: false,
      restart: true,
      failedRestarts: 1,
      err: expect.objectContaining({ message: expect.stringContaining('produce to sdp.a.error failed') }),
    });
    await service.stop();
  });

  it('a version bump restarts a failed task at once; a settings change restarts a running one', async () => {
    const { service, tasks, set } = setup(60_000);
    set([pipeline('a')]);
    await service.start();
    await waitFor(() => running(tasks, 'a').length === 1, { timeoutMs: 2000 });
    tasks[0]!.fail();
    set([pipeline('a', { version: 2 })]);
    await waitFor(() => tasks.length === 2 && tasks[1]!.state === 'running', { timeoutMs: 2000 });
    // Same settings, new version, task running: keeps running.
    set([pipeline('a', { version: 3, description: 'x' })]);
    await new Promise((r) => setTimeout(r, 100));
    expect(tasks).toHaveLength(2);
    set([pipeline('a', { version: 4, flush: { mib: 1, items: null, intervalSec: null } })]);
    await waitFor(() => tasks.length === 3 && tasks[2]!.state === 'running', { timeoutMs: 2000 });
    expect(tasks[1]!.state).toBe('stopped');
    expect(tasks[2]!.pipeline.flush.mib).toBe(1);
    await service.stop();
    expect(tasks[2]!.stopCalls).toBe(1);
  });

  it('keeps tasks running when the pipelines table cannot be read', async () => {
    const { service, tasks, set } = setup();
    set([pipeline('a')]);
    await service.start();
    await waitFor(() => running(tasks, 'a').length === 1, { timeoutMs: 2000 });
    set(new Error('connect ECONNREFUSED 127.0.0.1:3306'));
    await new Promise((r) => setTimeout(r, 100));
    expect(running(tasks, 'a')).toHaveLength(1);
    await service.stop();
  });
});

describe('restart policy', () => {
  it('doubles the watcher delay per failed restart, capped at 8 intervals', () => {
    expect([0, 1, 2, 3, 4, 10].map((n) => restartDelayMs(1000, n))).toEqual([
      1000, 2000, 4000, 8000, 8000, 8000,
    ]);
  });
  it('waits the longest for a permanent cause, whatever the restarts so far', () => {
    expect([0, 1, 5].map((n) => restartDelayMs(1000, n, 'permanent'))).toEqual([8000, 8000, 8000]);
  });
  it('decides the cause from the root of the cause chain', () => {
    const connRefused = Object.assign(new Error('connect ECONNREFUSED'), { retriable: true });
    const retriesExceeded = Object.assign(new Error('Number of retries exceeded', { cause: connRefused }), {
      retriable: false, // kafkajs' KafkaJSNumberOfRetriesExceeded: the root still decides
    });
    expect(crashCause(new Error('produce failed', { cause: retriesExceeded }))).toBe('transient');
    expect(crashCause(new Error('bulk request failed (503)'))).toBe('transient');
    const denied = Object.assign(new Error('TOPIC_AUTHORIZATION_FAILED'), { retriable: false });
    expect(crashCause(new Error('produce failed', { cause: denied }))).toBe('permanent');
    expect(crashCause(new Error('wrapped', { cause: new TypeError('x is undefined') }))).toBe('permanent');
  });
  it('restarts on changes that affect the task only', () => {
    const a = pipeline('a');
    expect(settingsChanged(a, { ...a, version: 9, description: 'd' })).toBe(false);
    expect(settingsChanged(a, { ...a, idField: 'id' })).toBe(true);
    expect(settingsChanged(a, { ...a, outputEnabled: false })).toBe(true);
    expect(settingsChanged(a, { ...a, flush: { ...a.flush, intervalSec: 1 } })).toBe(true);
  });
});
