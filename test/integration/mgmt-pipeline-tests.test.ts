import type { Pipeline } from '../../server/common/pipelines';
import { MgmtHarness, startMgmtHarness } from '../helpers/mgmt-harness';

jest.setTimeout(90_000);

interface ErrorBody {
  code: string;
  message: string;
  details?: Array<{ path: string; name?: string; message: string; differences?: string[] }>;
}

const PROCESSORS = [{ lowercase: { field: 'user' } }, { drop: { if: "doc.user == 'bot'" } }];
const TESTS = [
  { name: 'lowercases users', input: { user: 'Ann' }, expect: { status: 'indexed', doc: { user: 'ann' } } },
  { name: 'drops bots', input: { user: 'BOT' }, expect: { status: 'dropped' } },
  { name: 'refuses broken JSON', input: '{', expect: { status: 'failed', errorType: 'invalid_json' } },
];

// Tests stored with a pipeline, run by the real pipeline-mgmt (MariaDB, Kafka, OpenSearch) on
// every create and update: a failing one refuses the change and nothing is changed.
describe('pipeline tests: run on every create and update', () => {
  let h: MgmtHarness;

  beforeAll(async () => {
    h = await startMgmtHarness();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('refuses a create whose tests fail (400 tests_failed, each test and what differed); nothing is made', async () => {
    const name = h.newName();
    const index = await h.newIndex();
    const r = await h.api<ErrorBody>('POST', '/api/v1/pipelines', {
      body: { name, index, processors: [PROCESSORS[0]], tests: TESTS },
    });
    expect([r.status, r.body.code]).toEqual([400, 'tests_failed']);
    expect(r.body.details).toEqual([
      {
        path: 'tests[1]',
        name: 'drops bots',
        message: 'status: expected dropped, got indexed',
        differences: ['status: expected dropped, got indexed'],
      },
    ]);
    expect(r.body.message).toContain('"drops bots"');
    const list = await h.api<{ items: Pipeline[] }>('GET', `/api/v1/pipelines?name=${name}`);
    expect(list.body.items).toEqual([]);
    expect(await h.topicsOf(name)).toEqual([]);
  });

  it('stores passing tests; an update that breaks one is refused and changes nothing', async () => {
    const index = await h.newIndex();
    const created = await h.api<Pipeline>('POST', '/api/v1/pipelines', {
      body: { name: h.newName(), index, processors: PROCESSORS, tests: TESTS, status: 'stopped' },
    });
    expect(created.status).toBe(201);
    expect(created.body.tests).toEqual(TESTS);
    const id = created.body.id;

    const breaking = await h.api<ErrorBody>('PATCH', `/api/v1/pipelines/${id}`, {
      body: { processors: [{ uppercase: { field: 'user' } }, PROCESSORS[1]] },
    });
    expect([breaking.status, breaking.body.code]).toEqual([400, 'tests_failed']);
    expect(breaking.body.details?.map((d) => [d.path, d.message])).toEqual([
      ['tests[0]', 'doc.user: expected "ann", got "ANN"'],
      ['tests[1]', 'status: expected dropped, got indexed'],
    ]);
    const unchanged = await h.api<Pipeline>('GET', `/api/v1/pipelines/${id}`);
    expect([unchanged.body.version, unchanged.body.processors]).toEqual([created.body.version, PROCESSORS]);

    // A new failing test is refused too; a PUT that leaves tests out drops them (its default).
    const badTest = await h.api<ErrorBody>('PATCH', `/api/v1/pipelines/${id}`, {
      body: {
        tests: [
          ...TESTS,
          { name: 'keeps case', input: { user: 'Z' }, expect: { status: 'indexed', doc: { user: 'Z' } } },
        ],
      },
    });
    expect([badTest.status, badTest.body.details?.[0]?.path]).toEqual([400, 'tests[3]']);
    const put = await h.api<Pipeline>('PUT', `/api/v1/pipelines/${id}`, { body: { index, processors: [] } });
    expect([put.status, put.body.tests]).toEqual([200, []]);

    // Rolling back to version 1 restores its processors and its tests, and runs them.
    const rollback = await h.api<{ pipeline: Pipeline }>(
      'POST',
      `/api/v1/pipelines/${id}/versions/1/rollback`,
    );
    expect(rollback.status).toBe(200);
    expect([rollback.body.pipeline.processors, rollback.body.pipeline.tests]).toEqual([PROCESSORS, TESTS]);
    const diff = await h.api<{ changes: Array<{ path: string }> }>(
      'GET',
      `/api/v1/pipelines/${id}/versions/1/diff?to=${put.body.version}`,
    );
    expect(diff.body.changes.map((c) => c.path)).toEqual(
      expect.arrayContaining(['processors[0]', 'processors[1]', 'tests[0]', 'tests[1]', 'tests[2]']),
    );
  });

  it('checks the tests themselves: their shape (field paths) and unique names', async () => {
    const index = await h.newIndex();
    const shape = await h.api<ErrorBody>('POST', '/api/v1/pipelines', {
      body: { name: h.newName(), index, tests: [{ name: 'x', input: {}, expect: { status: 'sent' } }] },
    });
    expect([shape.status, shape.body.code]).toEqual([400, 'validation_failed']);
    expect(shape.body.details?.map((d) => d.path)).toContain('/tests/0/expect/status');
    const twice = await h.api<ErrorBody>('POST', '/api/v1/pipelines', {
      body: { name: h.newName(), index, tests: [TESTS[2], TESTS[2]] },
    });
    expect([twice.status, twice.body.code, twice.body.details?.[0]?.path]).toEqual([
      400,
      'invalid_tests',
      'tests[1].name',
    ]);
  });
});
