import { InputError } from '../../server/common/errors';
import type { PipelineTest } from '../../server/common/pipelines';
import { compileProcessing } from '../../server/common/processors/processing';
import {
  assertTestsPass,
  differencesOf,
  partialDifferences,
  runPipelineTests,
} from '../../server/pipeline-mgmt/logics/pipelineTests';
import { simulateRecords } from '../../server/pipeline-mgmt/logics/simulation';

function compiled(processors: unknown[], indexTemplate: string | null = null) {
  const r = compileProcessing({ processors, indexTemplate, schema: null });
  if (!('compiled' in r)) throw new Error(JSON.stringify(r.problems));
  return r.compiled;
}
const settings = (processors: unknown[], indexTemplate: string | null = null) => ({
  index: 'logs',
  inputTopic: 'sdp.p.input',
  idField: null,
  processing: compiled(processors, indexTemplate),
});

describe('pipeline tests: partial match', () => {
  it('matches objects key by key, recursively; arrays and scalars as a whole', () => {
    expect(partialDifferences({ a: 1, b: { c: 'x' } }, { a: 1, b: { c: 'x', d: 2 }, e: 3 }, 'doc')).toEqual(
      [],
    );
    expect(partialDifferences({ a: 1, b: { c: 'x' } }, { a: 2, b: {} }, 'doc')).toEqual([
      'doc.a: expected 1, got 2',
      'doc.b.c: expected "x", got nothing',
    ]);
    expect(partialDifferences({ t: [1, 2] }, { t: [1, 2, 3] }, 'doc')).toEqual([
      'doc.t: expected [1,2], got [1,2,3]',
    ]);
  });

  it('reports a wrong status with the failure it got, and index / id / errorType differences', () => {
    const [failed] = simulateRecords(settings([]), ['{oops'], { budgetMs: 1000 });
    const t: PipelineTest = { name: 'n', input: '{oops', expect: { status: 'indexed' } };
    expect(differencesOf(t, failed!)[0]).toMatch(/^status: expected indexed, got failed \(invalid_json: /);
    const wrongClass: PipelineTest = {
      name: 'n',
      input: '{oops',
      expect: { status: 'failed', errorType: 'x' },
    };
    expect(differencesOf(wrongClass, failed!)).toEqual(['errorType: expected "x", got "invalid_json"']);
    const [ok] = simulateRecords(settings([], 'logs-{t}'), [{ t: 'eu' }], { budgetMs: 1000 });
    const where: PipelineTest = {
      name: 'n',
      input: {},
      expect: { status: 'indexed', index: 'logs', id: 'x' },
    };
    expect(differencesOf(where, ok!)).toEqual([
      'index: expected "logs", got "logs-eu"',
      'id: expected "x", got "sdp.p.input-0-0"',
    ]);
  });
});

describe('pipeline tests: run and refuse', () => {
  const tests: PipelineTest[] = [
    {
      name: 'lowercases the user',
      input: { user: 'Ann' },
      expect: { status: 'indexed', doc: { user: 'ann' } },
    },
    { name: 'drops bots', input: { user: 'bot' }, expect: { status: 'dropped' } },
  ];
  const chain = [{ lowercase: { field: 'user' } }, { drop: { if: "doc.user == 'bot'" } }];

  it('passes when every expectation holds', () => {
    expect(runPipelineTests(tests, settings(chain))).toEqual([]);
    expect(() =>
      assertTestsPass(tests, compiled(chain), { index: 'logs', inputTopic: 't', idField: null }),
    ).not.toThrow();
  });

  it('refuses with tests_failed, naming each failed test, its path and what differed', () => {
    let error: unknown;
    try {
      assertTestsPass(tests, compiled([]), { index: 'logs', inputTopic: 't', idField: null });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    const e = error as InputError;
    expect(e.code).toBe('tests_failed');
    expect(e.message).toMatch(/^2 of 2 pipeline tests failed/);
    expect(e.details).toEqual([
      {
        path: 'tests[0]',
        name: 'lowercases the user',
        message: 'doc.user: expected "ann", got "Ann"',
        differences: ['doc.user: expected "ann", got "Ann"'],
      },
      {
        path: 'tests[1]',
        name: 'drops bots',
        message: 'status: expected dropped, got indexed',
        differences: ['status: expected dropped, got indexed'],
      },
    ]);
  });

  it('refuses two tests of the same name', () => {
    expect(() =>
      assertTestsPass([tests[0]!, tests[0]!], compiled(chain), {
        index: 'logs',
        inputTopic: 't',
        idField: null,
      }),
    ).toThrow(expect.objectContaining({ code: 'invalid_tests' }));
  });

  it('stops a simulation past its budget between records', () => {
    let t = 0;
    expect(() => simulateRecords(settings([]), [{}, {}, {}], { budgetMs: 5, now: () => (t += 3) })).toThrow(
      'the simulation took too long (1 records done)',
    );
  });
});
