import { asCondition, compileExpression, describeCelError } from './processors/cel';
import type { RecordMeta } from './processors/types';
import type { ReplayFilter } from './replays';

/** One error-topic record as a replay's filter sees it. */
export interface FilterInput {
  /** The error envelope (parsed JSON object). */
  envelope: Record<string, unknown>;
  /** Where it sits in the error topic and when it was written (ms since the epoch). */
  meta: RecordMeta;
}

export type FilterVerdict = { matched: true } | { matched: false; why: 'filter' | 'error'; reason?: string };

export interface CompiledReplayFilter {
  test(input: FilterInput): FilterVerdict;
}

export interface FilterProblem {
  path: string;
  message: string;
}

const isTime = (s: string) => !Number.isNaN(Date.parse(s));

/**
 * Compiles a replay's filter: `stage` and `reason` compare the envelope's `stage` and `errorType`,
 * `since` / `until` the time the record was written to the error topic, and `if` is a CEL condition
 * with the envelope as `doc` and the error-topic record as `meta`. Every problem is reported with
 * its path under `root` (`filter.if`, as the processors' checks name theirs). An `if` that fails on a record (or is not a boolean)
 * does not match it.
 */
export function compileReplayFilter(
  filter: ReplayFilter,
  root = 'filter',
): { filter: CompiledReplayFilter } | { problems: FilterProblem[] } {
  const problems: FilterProblem[] = [];
  const since = filter.since === undefined ? undefined : Date.parse(filter.since);
  const until = filter.until === undefined ? undefined : Date.parse(filter.until);
  if (filter.since !== undefined && !isTime(filter.since))
    problems.push({ path: `${root}.since`, message: 'is not an ISO time' });
  if (filter.until !== undefined && !isTime(filter.until))
    problems.push({ path: `${root}.until`, message: 'is not an ISO time' });
  if (since !== undefined && until !== undefined && since >= until)
    problems.push({ path: `${root}.since`, message: 'is not before until' });
  let condition: ((input: FilterInput) => boolean) | null = null;
  if (filter.if !== undefined) {
    const compiled = compileExpression(filter.if);
    if ('error' in compiled) problems.push({ path: `${root}.if`, message: compiled.error });
    else {
      const cond = asCondition(compiled);
      condition = (input) => cond(input.envelope, () => input.meta);
    }
  }
  if (problems.length > 0) return { problems };
  return {
    filter: {
      test(input) {
        const e = input.envelope;
        if (filter.stage !== undefined && e.stage !== filter.stage) return { matched: false, why: 'filter' };
        if (filter.reason !== undefined && e.errorType !== filter.reason)
          return { matched: false, why: 'filter' };
        if (since !== undefined && input.meta.timestamp < since) return { matched: false, why: 'filter' };
        if (until !== undefined && input.meta.timestamp >= until) return { matched: false, why: 'filter' };
        if (condition) {
          try {
            if (!condition(input)) return { matched: false, why: 'filter' };
          } catch (err) {
            return { matched: false, why: 'error', reason: describeCelError(err) };
          }
        }
        return { matched: true };
      },
    },
  };
}
