import { execFile } from 'node:child_process';
import type { Pipeline } from '../../server/common/pipelines';
import { waitFor } from '../helpers';
import { MgmtHarness, startMgmtHarness } from '../helpers/mgmt-harness';
import {
  buildCli,
  buildWorker,
  killWorker,
  spawnWorker,
  WorkerProcess,
  workerEnvFor,
} from '../helpers/worker-process';

jest.setTimeout(240_000);

interface ReplayView {
  id: string;
  status: string;
  dryRun: boolean;
  counts: {
    scanned: number;
    matched: number;
    replayed: number;
    indexed: number;
    failedAgain: number;
    skipped: number;
  };
  startOffsets: Record<string, string>;
  endOffsets: Record<string, string>;
  positions: Record<string, string>;
  worker: { id: string; heartbeatAt: string | null } | null;
  claims: number;
  reason: string | null;
  startedAt: string;
  endedAt: string | null;
  dryRunReport?: {
    outcomes: Record<string, number>;
    sample: Array<{
      outcome: string;
      source: { topic: string; partition: number; offset: string };
      documents?: Array<{ id: string }>;
    }>;
  } | null;
  code?: string;
  details?: Array<{ path: string; message: string }>;
}

interface ErrorItem {
  partition: number;
  offset: string;
  envelope: {
    stage: string;
    errorType: string;
    attempts: number;
    replayId?: string;
    source: { topic: string; partition: number; offset: string };
  };
}

const TEAM = 'team-a';
const GOOD = 30;
const BAD_SCHEMA = 20;
const BAD_JSON = 5;

// Replays on the real services: records refused by a real worker (a schema, invalid JSON), the
// pipeline fixed, the failures replayed by a worker through the pipeline's current configuration,
// indexed under the ids they would have had the first time; a second replay and a rewind add
// nothing; cancel, dry run, permissions, bad input, and a replay across a worker's kill -9.
describe('replays: POST/GET/DELETE /api/v1/pipelines/{id}/replays', () => {
  let h: MgmtHarness;
  let entry: string;
  let worker: WorkerProcess | undefined;
  let p: Pipeline;
  let editor: string;
  let viewer: string;

  const env = () =>
    workerEnvFor(h.config, {
      SDP_SERVER_FLUSH_INTERVAL_SEC: '0.3',
      // A killed worker's replay is taken over after 5 s without a heartbeat.
      SDP_SERVER_WORKER_HEARTBEAT_TIMEOUT_SEC: '5',
    });
  const startWorker = async (name = 'replays') => {
    worker = spawnWorker(entry, env(), name);
    return worker.ready;
  };
  const replays = `/api/v1/pipelines/`;
  const post = (body: unknown, token = editor, id = p.id) =>
    h.api<ReplayView>('POST', `${replays}${id}/replays`, { body, token });
  const get = (rid: string, token = viewer) =>
    h.api<ReplayView>('GET', `${replays}${p.id}/replays/${rid}`, { token });
  const ended = async (rid: string, timeoutMs = 90_000) => {
    let last: ReplayView | undefined;
    await waitFor(
      async () => {
        last = (await get(rid)).body;
        return last.status !== 'running';
      },
      { timeoutMs, what: `replay ${rid} to end`, intervalMs: 250 },
    );
    return last!;
  };
  const count = async () => {
    await h.opensearch.indices.refresh({ index: p.index });
    return Number((await h.opensearch.count({ index: p.index })).body.count);
  };
  const errorTopicSize = async () =>
    (await h.admin.fetchTopicOffsets(p.topics.error)).reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
  const errorItems = async () =>
    (await h.api<{ items: ErrorItem[] }>('GET', `${replays}${p.id}/errors?limit=500`, { token: viewer })).body
      .items;
  const docIds = async () => {
    await h.opensearch.indices.refresh({ index: p.index });
    const res = await h.opensearch.search({
      index: p.index,
      body: { size: 1000, version: true, query: { match_all: {} } },
    });
    return (res.body.hits.hits as Array<{ _id: string; _version: number }>).map((x) => ({
      id: x._id,
      version: x._version,
    }));
  };
  const setStatus = async (status: 'running' | 'stopped') =>
    expect((await h.api('PUT', `${replays}${p.id}/status`, { body: { status } })).status).toBe(200);

  /** The ids the schema failures would have had the first time: `<topic>-<partition>-<offset>` of their origin. */
  let schemaFailureIds: string[];

  beforeAll(async () => {
    [h, entry] = await Promise.all([startMgmtHarness(), buildWorker()]);
    const res = await h.api<Pipeline>('POST', '/api/v1/pipelines', {
      body: {
        name: h.newName(),
        index: h.indexName(),
        partitions: 2,
        team: TEAM,
        // Every record needs a level: those without fail at stage `schema`.
        schema: { mode: 'enforce', jsonSchema: { type: 'object', required: ['level'] } },
        createIndex: { settings: { number_of_shards: 1, number_of_replicas: 0 } },
      },
    });
    expect(res.status).toBe(201);
    p = res.body;
    editor = await h.mint({ name: 'editor-a', role: 'editor', team: TEAM });
    viewer = await h.mint({ name: 'viewer-a', role: 'viewer', team: TEAM });
    await startWorker();
    const producer = h.kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const values = [
      ...Array.from({ length: GOOD }, (_, i) => JSON.stringify({ n: i, level: 'info' })),
      ...Array.from({ length: BAD_SCHEMA }, (_, i) => JSON.stringify({ n: GOOD + i })),
      ...Array.from({ length: BAD_JSON }, (_, i) => `{"broken": ${i}`),
    ];
    await producer.send({
      topic: p.topics.input,
      acks: -1,
      messages: values.map((value, i) => ({ partition: i % 2, key: `k${i}`, value })),
    });
    await producer.disconnect();
    await waitFor(
      async () => (await count()) === GOOD && (await errorTopicSize()) === BAD_SCHEMA + BAD_JSON,
      {
        timeoutMs: 60_000,
        what: 'the good records indexed and the bad ones in the error topic',
      },
    );
    const items = await errorItems();
    schemaFailureIds = items
      .filter((i) => i.envelope.stage === 'schema')
      .map((i) => `${i.envelope.source.topic}-${i.envelope.source.partition}-${i.envelope.source.offset}`)
      .sort();
    expect(schemaFailureIds).toHaveLength(BAD_SCHEMA);
  });
  afterAll(async () => {
    await killWorker(worker);
    await h?.stop();
  });

  it('refuses viewers (403), other teams and unknown pipelines (404), and bad input (400 naming the field)', async () => {
    const forbidden = await post({ filter: {} }, viewer);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.code).toBe('forbidden');

    const badCel = await post({ filter: { if: 'doc.stage ==' } });
    expect(badCel.status).toBe(400);
    expect(badCel.body).toMatchObject({ code: 'invalid_replay', message: expect.any(String) });
    expect(badCel.body.details!.map((d) => d.path)).toEqual(['filter.if']);

    const refused = await post({ filter: { if: 'doc.reason.matches("x")' } });
    expect(refused.status).toBe(400);
    expect(refused.body.details!.map((d) => d.path)).toEqual(['filter.if']);

    const backwards = await post({
      filter: { since: '2026-01-02T00:00:00Z', until: '2026-01-01T00:00:00Z' },
    });
    expect(backwards.status).toBe(400);
    expect(backwards.body.details!.map((d) => d.path)).toEqual(['filter.since']);

    const badShape = await post({
      filter: { stage: 'parse', colour: 'red' },
      ratePerSec: 0,
      maxRecords: 1.5,
    });
    expect(badShape.status).toBe(400);
    expect(badShape.body.details!.map((d) => d.path).sort()).toEqual(
      ['/filter/colour', '/maxRecords', '/ratePerSec'].sort(),
    );

    const badTime = await post({ filter: { since: 'yesterday' } });
    expect(badTime.status).toBe(400);
    expect(badTime.body.details!.map((d) => d.path)).toEqual(['/filter/since']);

    const unknown = await post({ filter: {} }, editor, '00000000-0000-4000-8000-000000000000');
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('pipeline_not_found');

    const otherTeam = await h.mint({ name: 'editor-b', role: 'editor', team: 'team-b' });
    expect((await post({ filter: {} }, otherTeam)).status).toBe(404);

    const noReplay = await get('00000000-0000-4000-8000-000000000000');
    expect(noReplay.status).toBe(404);
    expect(noReplay.body.code).toBe('replay_not_found');
    expect((await get('not-a-uuid')).status).toBe(404);
    // Nothing was started by any of these.
    const list = await h.api<{ items: ReplayView[] }>('GET', `${replays}${p.id}/replays`, { token: viewer });
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([]);
  });

  it('a dry run after the fix writes nothing and reports the outcomes and a sample', async () => {
    // The fix: a level is no longer required.
    const fix = await h.api('PATCH', `${replays}${p.id}`, {
      body: { schema: { mode: 'enforce', jsonSchema: { type: 'object', required: ['n'] } } },
      token: editor,
    });
    expect(fix.status).toBe(200);
    const before = { docs: await count(), errors: await errorTopicSize() };
    const started = await post({ filter: { stage: 'schema' }, dryRun: true });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ status: 'running', dryRun: true });
    const r = await ended(started.body.id);
    expect(r.status).toBe('succeeded');
    expect(r.counts).toMatchObject({
      scanned: BAD_SCHEMA + BAD_JSON,
      matched: BAD_SCHEMA,
      replayed: BAD_SCHEMA,
      indexed: BAD_SCHEMA,
      failedAgain: 0,
    });
    expect(r.dryRunReport!.outcomes).toEqual({ index: BAD_SCHEMA });
    expect(r.dryRunReport!.sample.length).toBeGreaterThan(0);
    for (const s of r.dryRunReport!.sample)
      expect(s.documents!.map((d) => d.id)).toEqual([
        `${s.source.topic}-${s.source.partition}-${s.source.offset}`,
      ]);
    // Written: nothing.
    await new Promise((res) => setTimeout(res, 1000));
    expect({ docs: await count(), errors: await errorTopicSize() }).toEqual(before);
  });

  it('a replay after the fix indexes the failed records under their original ids; what fails again goes back with attempts + 1 and the replay id', async () => {
    const started = await post({ ratePerSec: 1000 });
    expect(started.status).toBe(202);
    expect(started.headers.get('location')).toBe(`${replays}${p.id}/replays/${started.body.id}`);
    expect(started.body.status).toBe('running');
    expect(Object.values(started.body.endOffsets).reduce((n, o) => n + Number(o), 0)).toBe(
      BAD_SCHEMA + BAD_JSON,
    );
    const r = await ended(started.body.id);
    expect(r).toMatchObject({
      status: 'succeeded',
      counts: {
        scanned: BAD_SCHEMA + BAD_JSON,
        matched: BAD_SCHEMA + BAD_JSON,
        replayed: BAD_SCHEMA + BAD_JSON,
        indexed: BAD_SCHEMA,
        failedAgain: BAD_JSON,
        skipped: 0,
      },
      claims: 1,
      reason: null,
    });
    expect(r.positions).toEqual(r.endOffsets);
    expect(r.endedAt).not.toBeNull();
    expect(await count()).toBe(GOOD + BAD_SCHEMA);
    const ids = (await docIds()).map((d) => d.id);
    for (const id of schemaFailureIds) expect(ids).toContain(id);
    // The invalid JSON failed again: 5 new error records, attempt 2, naming the replay.
    await waitFor(async () => (await errorTopicSize()) === BAD_SCHEMA + BAD_JSON * 2, {
      timeoutMs: 10_000,
      what: 'the re-failed records',
    });
    const again = (await errorItems()).filter((i) => i.envelope.replayId === r.id);
    expect(again).toHaveLength(BAD_JSON);
    for (const i of again) expect(i.envelope).toMatchObject({ stage: 'parse', attempts: 2 });
    // Audited, visible to viewers in the list, and counted in the worker's metrics.
    const audit = await h.api<{ items: Array<{ action: string; details: { replayId: string } }> }>(
      'GET',
      `/api/v1/audit?targetId=${p.id}&action=pipeline.replay`,
    );
    expect(audit.body.items.map((a) => a.details.replayId)).toContain(r.id);
    const list = await h.api<{ items: ReplayView[] }>('GET', `${replays}${p.id}/replays?limit=1`, {
      token: viewer,
    });
    expect(list.body.items).toHaveLength(1);
    const port = await worker!.ready;
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const line = metrics
      .split('\n')
      .find(
        (l) =>
          l.startsWith('sdp_worker_replayed_total') && l.includes(p.id) && l.includes('outcome="indexed"'),
      );
    expect(Number(line?.split(' ').pop())).toBe(BAD_SCHEMA);
  });

  it('a second replay and a rewind of the whole input topic leave the document count unchanged', async () => {
    const docs = await count();
    expect(docs).toBe(GOOD + BAD_SCHEMA);
    const second = await post({ ratePerSec: 1000 });
    const r = await ended(second.body.id);
    expect(r.status).toBe('succeeded');
    // 25 first failures and the 5 the first replay sent back: the 20 now fine, 10 fail again.
    expect(r.counts).toMatchObject({ matched: 30, indexed: BAD_SCHEMA, failedAgain: 2 * BAD_JSON });
    expect(await count()).toBe(docs);
    const versionsBefore = (await docIds()).reduce((n, d) => n + d.version, 0);

    await setStatus('stopped');
    let moved: { status: number; body: { code?: string } } | undefined;
    await waitFor(
      async () => {
        moved = await h.api('PUT', `${replays}${p.id}/offsets`, { body: { to: 'earliest' }, token: editor });
        return moved.status !== 409 || moved.body.code !== 'group_active';
      },
      { timeoutMs: 60_000, what: 'the group to empty', intervalMs: 500 },
    );
    expect(moved!.status).toBe(200);
    await setStatus('running');
    // Everything re-read: every document written again (versions up by 50), none added.
    await waitFor(
      async () => (await docIds()).reduce((n, d) => n + d.version, 0) >= versionsBefore + GOOD + BAD_SCHEMA,
      { timeoutMs: 60_000, what: 'the rewind re-indexed everything' },
    );
    expect(await count()).toBe(docs);
    process.stdout.write(`no duplicates: ${docs} documents after a replay, a second replay and a rewind\n`);
  });

  it("cancel: DELETE stops a running replay at its next batch; it shows in the worker's tasks meanwhile", async () => {
    const started = await post({ ratePerSec: 2 });
    expect(started.status).toBe(202);
    const rid = started.body.id;
    const port = await worker!.ready;
    await waitFor(
      async () => {
        const health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as {
          tasks: Array<{ state: string; replayId?: string }>;
        };
        return health.tasks.some((t) => t.state === 'replaying' && t.replayId === rid);
      },
      { timeoutMs: 30_000, what: 'the worker to perform the replay' },
    );
    await waitFor(async () => (await get(rid)).body.counts.replayed > 0, {
      timeoutMs: 30_000,
      what: 'progress',
    });
    // Also among the pipeline's tasks, with the worker performing it.
    const tasks = await h.api<{ replays: ReplayView[] }>('GET', `${replays}${p.id}/tasks`, { token: viewer });
    expect(tasks.status).toBe(200);
    expect(tasks.body.replays.map((x) => [x.id, x.status, typeof x.worker?.id])).toEqual([
      [rid, 'running', 'string'],
    ]);
    expect((await h.api('DELETE', `${replays}${p.id}/replays/${rid}`, { token: viewer })).status).toBe(403);
    const cancelled = await h.api<ReplayView>('DELETE', `${replays}${p.id}/replays/${rid}`, {
      token: editor,
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', reason: 'cancelled by editor-a' });
    // The worker lets go of it.
    await waitFor(
      async () => {
        const health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as {
          tasks: Array<{ state: string }>;
        };
        return !health.tasks.some((t) => t.state === 'replaying');
      },
      { timeoutMs: 15_000, what: 'the worker to stop the replay' },
    );
    const after = (await get(rid)).body;
    expect(after.status).toBe('cancelled');
    expect(after.counts.scanned).toBeLessThan(
      Object.values(after.endOffsets).reduce((n, o) => n + Number(o), 0),
    );
    const again = await h.api<ReplayView>('DELETE', `${replays}${p.id}/replays/${rid}`, { token: editor });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('replay_ended');
    const audit = await h.api<{ items: Array<{ details: { replayId: string } }> }>(
      'GET',
      `/api/v1/audit?targetId=${p.id}&action=pipeline.replay.cancel`,
    );
    expect(audit.body.items.map((a) => a.details.replayId)).toEqual([rid]);
  });

  it('a replay across a kill -9 of its worker is resumed by another worker from its saved positions and finishes without duplicates', async () => {
    const docs = await count();
    const total = await errorTopicSize();
    const started = await post({ filter: { stage: 'schema' }, ratePerSec: 4 });
    const rid = started.body.id;
    await waitFor(async () => (await get(rid)).body.counts.replayed >= 4, {
      timeoutMs: 30_000,
      what: 'the first batches',
      intervalMs: 100,
    });
    const atKill = (await get(rid)).body;
    expect(atKill.status).toBe('running');
    expect(atKill.counts.scanned).toBeLessThan(total);
    worker!.kill('SIGKILL');
    await worker!.exited;
    await startWorker('replays-2');
    const r = await ended(rid);
    expect(r.status).toBe('succeeded');
    expect(r.claims).toBe(2);
    expect(r.worker!.id).not.toBe(atKill.worker!.id);
    // Every match replayed once in the counts (a batch re-done after the kill is counted once).
    const matches = (await errorItems()).filter((i) => i.envelope.stage === 'schema').length;
    expect(r.counts).toMatchObject({ scanned: total, matched: matches, replayed: matches, failedAgain: 0 });
    expect(r.positions).toEqual(r.endOffsets);
    expect(await count()).toBe(docs);
  });

  it('sdp replay NAME --dry-run --wait and sdp replays NAME', async () => {
    const cli = await buildCli();
    const run = (args: string[], token = editor) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
        execFile(
          process.execPath,
          [cli, ...args],
          { env: { ...process.env, SDP_URL: h.base, SDP_TOKEN: token } },
          (err, stdout, stderr) => resolve({ code: err ? ((err.code as number) ?? 1) : 0, stdout, stderr }),
        ),
      );
    const dry = await run(['replay', p.name, '--stage', 'parse', '--dry-run', '--wait', '--rate', '1000']);
    expect(dry.stderr).toBe('');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(
      /^replay \S+ succeeded \(dry run\): matched \d+, replayed \d+, indexed 0, failed again \d+/,
    );
    expect(dry.stdout).toMatch(/fail:parse:invalid_json\s+\d+/);
    const badCel = await run(['replay', p.name, '--if', 'doc.stage ==']);
    expect(badCel.code).toBe(1);
    expect(badCel.stderr).toMatch(/400 invalid_replay: .*\(filter\.if /);
    const asViewer = await run(['replay', p.name], viewer);
    expect(asViewer.code).toBe(1);
    expect(asViewer.stderr).toMatch(/403/);
    const badMax = await run(['replay', p.name, '--max', '0']);
    expect(badMax.code).toBe(1);
    const list = await run(['replays', p.name], viewer);
    expect(list.code).toBe(0);
    const lines = list.stdout.trim().split('\n');
    expect(lines[0]).toMatch(
      /^ID\s+STATUS\s+DRY\s+MATCHED\s+REPLAYED\s+INDEXED\s+FAILED\s+STARTED\s+REASON$/,
    );
    // Every replay of this suite, oldest first.
    const all = await h.api<{ items: ReplayView[] }>('GET', `${replays}${p.id}/replays?limit=500`, {
      token: viewer,
    });
    expect(lines).toHaveLength(all.body.items.length + 1);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[1])).toEqual(all.body.items.map((r) => r.status));
  });
});
