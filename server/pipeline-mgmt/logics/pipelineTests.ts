import { InputError } from '../../common/errors';
import type { PipelineTest } from '../../common/pipelines';
import type { CompiledProcessing } from '../../common/processors/processing';
import type { SimulatedRecord } from '../interfaces/simulateService';
import { SIMULATION_BUDGET_MS } from '../defaults';
import { simulateRecords, SimulationBudgetExceeded, SimulationSettings } from './simulation';

/** One test that did not pass: its position, name and each difference found. */
export interface TestFailure {
  path: string;
  name: string;
  differences: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const show = (v: unknown): string => (v === undefined ? 'nothing' : JSON.stringify(v));

/** Where `actual` differs from the partial `expected`: objects key by key (recursively), anything else as a whole. */
export function partialDifferences(expected: unknown, actual: unknown, path: string): string[] {
  if (isObject(expected) && isObject(actual)) {
    return Object.keys(expected).flatMap((k) => partialDifferences(expected[k], actual[k], `${path}.${k}`));
  }
  if (JSON.stringify(expected) === JSON.stringify(actual)) return [];
  return [`${path}: expected ${show(expected)}, got ${show(actual)}`];
}

/** What a test's outcome differs in from its expectation (empty: it passed). */
export function differencesOf(test: PipelineTest, got: SimulatedRecord): string[] {
  const want = test.expect;
  if (got.status !== want.status) {
    const why = got.error ? ` (${got.error.errorType}: ${got.error.reason})` : '';
    return [`status: expected ${want.status}, got ${got.status}${why}`];
  }
  const out: string[] = [];
  if (want.errorType !== undefined && got.error?.errorType !== want.errorType)
    out.push(`errorType: expected ${show(want.errorType)}, got ${show(got.error?.errorType)}`);
  if (want.index !== undefined && got.index !== want.index)
    out.push(`index: expected ${show(want.index)}, got ${show(got.index)}`);
  if (want.id !== undefined && got.id !== want.id)
    out.push(`id: expected ${show(want.id)}, got ${show(got.id)}`);
  if (want.doc !== undefined) out.push(...partialDifferences(want.doc, got.doc, 'doc'));
  return out;
}

/**
 * Runs a pipeline's tests through its (new) steps, the same simulation `POST .../simulate` runs but
 * without the mapping check: a test says what the pipeline's own steps make of a record, so it
 * answers the same whatever OpenSearch holds. The failures, empty when every test passed.
 */
export function runPipelineTests(
  tests: readonly PipelineTest[],
  settings: SimulationSettings,
): TestFailure[] {
  if (tests.length === 0) return [];
  let results: SimulatedRecord[];
  try {
    results = simulateRecords(
      settings,
      tests.map((t) => t.input),
      { budgetMs: SIMULATION_BUDGET_MS },
    );
  } catch (e) {
    if (!(e instanceof SimulationBudgetExceeded)) throw e;
    throw new InputError(`the pipeline's tests took too long to run (${e.message})`, [], 'tests_too_slow');
  }
  return tests.flatMap((t, i) => {
    const differences = differencesOf(t, results[i]!);
    return differences.length > 0 ? [{ path: `tests[${i}]`, name: t.name, differences }] : [];
  });
}

/** Checks what tests can hold beyond the REST schema: unique names. */
export function checkTestNames(tests: readonly PipelineTest[]): void {
  const seen = new Map<string, number>();
  tests.forEach((t, i) => {
    const first = seen.get(t.name);
    if (first !== undefined)
      throw new InputError(
        `tests[${i}] has the same name as tests[${first}]: "${t.name}"`,
        [{ path: `tests[${i}].name`, message: 'must be unique among the tests' }],
        'invalid_tests',
      );
    seen.set(t.name, i);
  });
}

/**
 * Refuses a change whose tests fail: 400 `tests_failed`, naming each failed test and what differed;
 * nothing is changed.
 */
export function assertTestsPass(
  tests: readonly PipelineTest[],
  processing: CompiledProcessing,
  pipeline: { index: string; inputTopic: string; idField: string | null },
): void {
  checkTestNames(tests);
  const failures = runPipelineTests(tests, { ...pipeline, processing });
  if (failures.length === 0) return;
  const summary = failures.map((f) => `"${f.name}": ${f.differences.join('; ')}`).join(' | ');
  throw new InputError(
    `${failures.length} of ${tests.length} pipeline tests failed: ${summary}`,
    failures.map((f) => ({
      path: f.path,
      name: f.name,
      message: f.differences.join('; '),
      differences: f.differences,
    })),
    'tests_failed',
  );
}
