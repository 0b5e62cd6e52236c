import { ERROR_HEADERS } from '../../server/pipeline-worker/logics/envelopes';
import { badRecords, goodRecord } from '../fixtures/worker-records';
import { waitFor } from '../helpers';
import {
  countDocs,
  createTestPipeline,
  duplicateSeqs,
  groupLag,
  produce,
  readTopic,
  topicSize,
  updatePipeline,
  workerEnvVars,
} from '../helpers/worker-env';
import { killWorker, spawnWorker, WorkerProcess } from '../helpers/worker-process';
import { useWorkerSuite } from '../helpers/worker-suite';

jest.setTimeout(180_000);

// The worker as a real process against real MariaDB, Kafka and OpenSearch.
describe('pipeline-worker end to end', () => {
  const suite = useWorkerSuite();

  it('indexes exactly the valid records, routes every kind of bad record to the error topic, reports status, and follows stop / start / delete', async () => {
    const p = await createTestPipeline(suite.env);
    suite.track(p);
    const V = 3000;
    const bad = badRecords(1_000_000);
    const values: Array<{ key: string; value: Buffer | string | null }> = [];
    for (let seq = 0; seq < V; seq++) {
      values.push({ key: String(seq), value: goodRecord(seq) });
      if (seq % 250 === 7 && values.length) {
        const b = bad[(seq - 7) / 250]!;
        values.push({ key: `bad-${b.name}`, value: b.value });
      }
    }
    expect(values.length).toBe(V + bad.length);
    await produce(suite.env, p.topics.input, values);

    let worker: WorkerProcess | undefined;
    try {
      worker = spawnWorker(
        suite.entry,
        workerEnvVars(suite.env, { SDP_SERVER_FLUSH_ITEMS: '500', SDP_SERVER_FLUSH_INTERVAL_SEC: '0.5' }),
        'e2e',
      );
      const port = await worker.ready;
      await waitFor(async () => (await countDocs(suite.env, p.index)) === V, {
        timeoutMs: 60_000,
        what: 'V documents',
      });
      await waitFor(async () => (await groupLag(suite.env, p.id, p.topics.input)) === 0, {
        timeoutMs: 20_000,
        what: 'lag 0',
      });
      expect(await countDocs(suite.env, p.index)).toBe(V);
      expect(await duplicateSeqs(suite.env, p.index)).toEqual([]);

      // Error topic: one envelope per bad record, with its reason and source coordinates.
      const errors = await readTopic(suite.env, p.topics.error, bad.length);
      expect(errors).toHaveLength(bad.length);
      const byKey = new Map(errors.map((r) => [r.key, r]));
      for (const b of bad) {
        const rec = byKey.get(`bad-${b.name}`);
        expect({ name: b.name, found: Boolean(rec) }).toEqual({ name: b.name, found: true });
        const e = JSON.parse(rec!.value);
        expect(e).toMatchObject({ pipelineId: p.id, pipelineName: p.name, stage: b.stage });
        expect(e.errorType).toMatch(b.errorType);
        expect(typeof e.reason).toBe('string');
        expect(e.reason.length).toBeGreaterThan(3);
        expect(e.source).toMatchObject({ topic: p.topics.input, key: `bad-${b.name}` });
        expect(Number(e.source.offset)).toBeGreaterThanOrEqual(0);
        expect(Number(e.source.timestamp)).toBeGreaterThan(0);
        expect(new Date(e.time).getTime()).toBeGreaterThan(Date.now() - 600_000);
        expect(e.attempts).toBeGreaterThanOrEqual(1);
        if (b.stage === 'index') expect(e.status).toBe(400);
        if (b.value === null) expect(e.value).toBeNull();
        else if (b.name === 'invalid UTF-8') {
          expect(e.encoding).toBe('base64');
          expect(Buffer.from(e.value, 'base64')).toEqual(b.value);
        } else expect(Buffer.from(e.value, 'utf8')).toEqual(b.value);
        expect(rec!.headers).toMatchObject({
          [ERROR_HEADERS.srcTopic]: p.topics.input,
          [ERROR_HEADERS.srcPartition]: String(e.source.partition),
          [ERROR_HEADERS.srcOffset]: e.source.offset,
          [ERROR_HEADERS.stage]: b.stage,
          [ERROR_HEADERS.errorType]: e.errorType,
        });
      }

      // Output topic: every indexed record, with its index and _id.
      expect(await topicSize(suite.env, p.topics.output)).toBe(V);
      const sample = JSON.parse((await readTopic(suite.env, p.topics.output, 1))[0]!.value);
      expect(sample).toMatchObject({ index: p.index, id: expect.stringMatching(/^sdp\..+\.input-\d+-\d+$/) });
      const doc = await suite.env.os.get({ index: p.index, id: sample.id });
      expect(doc.body._source).toEqual(sample.doc);

      // Status rows.
      await waitFor(
        async () => {
          const row = await suite.env.db('pipeline_tasks').where({ pipeline_id: p.id }).first();
          return row && Number(row.records_indexed) === V && Number(row.lag) === 0 ? row : null;
        },
        { timeoutMs: 15_000, what: 'task status row' },
      );
      const row = await suite.env.db('pipeline_tasks').where({ pipeline_id: p.id }).first();
      expect(row).toMatchObject({ state: 'running', pipeline_version: 1, consecutive_failures: 0 });
      expect(JSON.parse(row.assigned_partitions)).toEqual([0, 1, 2]);
      expect(Number(row.records_failed)).toBe(bad.length);
      expect(row.last_flush_at).toBeInstanceOf(Date);
      const w = await suite.env.db('workers').where({ id: row.worker_id }).first();
      expect(w.pid).toBe(worker.pid);
      expect(Number(w.rss_bytes)).toBeGreaterThan(10 * 1024 * 1024);
      expect(Number(w.cpu_percent)).toBeGreaterThanOrEqual(0);

      // The worker's own endpoints.
      const health = await (await fetch(`http://127.0.0.1:${port}/health`)).json();
      expect(health).toMatchObject({
        status: 'ok',
        service: 'pipeline-worker',
        tasks: [{ pipelineId: p.id, state: 'running' }],
      });
      expect((await fetch(`http://127.0.0.1:${port}/ready`)).status).toBe(200);
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toMatch(
        /sdp_worker_records_indexed_total\{pipeline="[^"]+",pipeline_name="[^"]+"\} 3000/,
      );
      expect(metrics).toMatch(/sdp_worker_process_resident_memory_bytes/);

      // Stop: the task leaves the group within ~10 s and reports `stopped`.
      const cur = await updatePipeline(suite.env, p, { status: 'stopped' });
      const t0 = Date.now();
      await waitFor(
        async () =>
          (await suite.env.db('pipeline_tasks').where({ pipeline_id: p.id }).first())?.state === 'stopped',
        { timeoutMs: 10_000, what: 'task stopped' },
      );
      const groups = await suite.env.admin.describeGroups([`sdp.pipeline.${p.id}`]);
      expect(groups.groups[0]!.members).toHaveLength(0);
      expect(Date.now() - t0).toBeLessThan(10_000);
      await produce(suite.env, p.topics.input, [{ key: 'late', value: goodRecord(V) }]);

      // Start again: it picks up where it committed.
      await updatePipeline(suite.env, cur, { status: 'running' });
      await waitFor(async () => (await countDocs(suite.env, p.index)) === V + 1, {
        timeoutMs: 10_000,
        what: 'restart',
      });

      // Delete: the task stops and its row goes.
      await suite.env.db('pipelines').where({ id: p.id }).delete();
      await waitFor(
        async () => !(await suite.env.db('pipeline_tasks').where({ pipeline_id: p.id }).first()),
        {
          timeoutMs: 10_000,
          what: 'task row removed',
        },
      );

      worker.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
      expect(await suite.env.db('workers').where({ id: row.worker_id }).first()).toBeUndefined();
    } finally {
      await killWorker(worker);
    }
  });

  it('uses the idField as _id (a redelivered or repeated key overwrites) and fails records without it at validate', async () => {
    const p = await createTestPipeline(suite.env, { idField: 'uid', outputEnabled: false });
    suite.track(p);
    const values = [
      ...Array.from({ length: 200 }, (_, i) => ({ value: JSON.stringify({ uid: `u${i % 100}`, seq: i }) })),
      { key: 'no-uid', value: JSON.stringify({ seq: 999 }) },
      { key: 'obj-uid', value: JSON.stringify({ uid: { a: 1 }, seq: 998 }) },
    ];
    await produce(suite.env, p.topics.input, values);
    let worker: WorkerProcess | undefined;
    try {
      worker = spawnWorker(
        suite.entry,
        workerEnvVars(suite.env, { SDP_SERVER_FLUSH_INTERVAL_SEC: '0.3' }),
        'idfield',
      );
      await worker.ready;
      await waitFor(async () => (await topicSize(suite.env, p.topics.error)) === 2, {
        timeoutMs: 30_000,
        what: 'errors',
      });
      await waitFor(async () => (await groupLag(suite.env, p.id, p.topics.input)) === 0, {
        timeoutMs: 20_000,
        what: 'lag 0',
      });
      expect(await countDocs(suite.env, p.index)).toBe(100);
      const errors = (await readTopic(suite.env, p.topics.error, 2)).map((r) => JSON.parse(r.value));
      for (const e of errors) expect(e).toMatchObject({ stage: 'validate', errorType: 'invalid_id_field' });
      expect(errors.map((e) => e.reason).join(' ')).toMatch(/missing/);
      expect(await topicSize(suite.env, p.topics.output)).toBe(0); // output disabled
      worker.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
    } finally {
      await killWorker(worker);
    }
  });
});
