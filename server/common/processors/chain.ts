import { asCondition, compileExpression } from './cel';
import { MAX_PROCESSORS, MAX_SPLIT_DOCUMENTS } from './limits';
import { OPERATIONS } from './operations';
import { CompileContext, ParamError } from './operations/params';
import {
  ConfigProblem,
  Doc,
  DROP,
  isPlainObject,
  OnFailure,
  Operation,
  OperationFailure,
  OperationResult,
  RecordMeta,
} from './types';

const ON_FAILURE: readonly OnFailure[] = ['error', 'skip', 'drop'];

/** One compiled processor: its place, operation, condition and failure policy. */
export interface CompiledProcessor {
  readonly index: number;
  readonly op: string;
  readonly condition: ((doc: Doc, meta: () => RecordMeta) => boolean) | null;
  readonly onFailure: OnFailure;
  readonly operation: Operation;
}

/** Counts per processor (same order as the chain), read by the worker's metrics. */
export interface ChainStats {
  changed: number[];
  dropped: number[];
  failed: number[];
}

export type ChainOutcome =
  /** The documents to index (one, or several after a split) and whether any processor changed them. */
  | { kind: 'documents'; documents: Doc[]; changed: boolean; split: boolean }
  /** Every document was dropped. */
  | { kind: 'dropped' }
  /** A processor failed with `onFailure: "error"`. */
  | { kind: 'failed'; index: number; op: string; errorType: string; reason: string };

export interface CompiledChain {
  readonly processors: readonly CompiledProcessor[];
  readonly stats: ChainStats;
  run(doc: Doc, meta: () => RecordMeta): ChainOutcome;
}

/** Compiles one processor, or throws ParamError for its parameter `param`. */
function compileOne(
  raw: unknown,
  index: number,
  ctx: CompileContext,
  problems: ConfigProblem[],
): CompiledProcessor | null {
  const at = `processors[${index}]`;
  if (!isPlainObject(raw)) {
    problems.push({ path: at, reason: 'must be an object with exactly one key, the operation' });
    return null;
  }
  const keys = Object.keys(raw);
  if (keys.length !== 1) {
    problems.push({ path: at, reason: `must have exactly one key, the operation (got ${keys.length})` });
    return null;
  }
  const op = keys[0]!;
  const spec = OPERATIONS.get(op);
  if (!spec) {
    problems.push({
      path: `${at}.${op}`,
      reason: `unknown operation; known: ${[...OPERATIONS.keys()].join(', ')}`,
    });
    return null;
  }
  const params = raw[op];
  if (!isPlainObject(params)) {
    problems.push({ path: `${at}.${op}`, reason: 'must be an object of parameters (`{}` for none)' });
    return null;
  }
  const before = problems.length;
  for (const k of Object.keys(params)) {
    if (k !== 'if' && k !== 'onFailure' && !spec.params.includes(k))
      problems.push({ path: `${at}.${op}.${k}`, reason: `unknown parameter of ${op}` });
  }
  let condition: CompiledProcessor['condition'] = null;
  if (params.if !== undefined) {
    const expr = compileExpression(params.if);
    if ('error' in expr) problems.push({ path: `${at}.${op}.if`, reason: expr.error });
    else condition = asCondition(expr);
  }
  const onFailure = params.onFailure ?? 'error';
  if (typeof onFailure !== 'string' || !ON_FAILURE.includes(onFailure as OnFailure))
    problems.push({ path: `${at}.${op}.onFailure`, reason: `must be one of ${ON_FAILURE.join(', ')}` });
  const { if: _if, onFailure: _of, ...own } = params;
  let operation: Operation | null = null;
  try {
    operation = spec.compile(own, ctx);
  } catch (e) {
    if (!(e instanceof ParamError)) throw e;
    problems.push({ path: e.param ? `${at}.${op}.${e.param}` : `${at}.${op}`, reason: e.reason });
  }
  if (problems.length > before || !operation) return null;
  return { index, op, condition, onFailure: onFailure as OnFailure, operation };
}

/**
 * Compiles a pipeline's `processors` once: every problem found (path and reason), or the chain.
 * Pure: the same configuration always compiles to the same behaviour.
 */
export function compileProcessors(
  config: unknown,
  ctx: CompileContext = {},
): { chain: CompiledChain } | { problems: ConfigProblem[] } {
  if (config === undefined || config === null) config = [];
  if (!Array.isArray(config)) return { problems: [{ path: 'processors', reason: 'must be an array' }] };
  if (config.length > MAX_PROCESSORS)
    return { problems: [{ path: 'processors', reason: `must hold at most ${MAX_PROCESSORS} processors` }] };
  const problems: ConfigProblem[] = [];
  const processors = config.map((raw, i) => compileOne(raw, i, ctx, problems));
  if (problems.length > 0) return { problems };
  return { chain: chainOf(processors as CompiledProcessor[]) };
}

/** Evaluates a processor's `if`; an expression that fails (a missing key, a non-boolean) fails the processor. */
function condition(p: CompiledProcessor, d: Doc, meta: () => RecordMeta): boolean {
  try {
    return p.condition!(d, meta);
  } catch (e) {
    throw new OperationFailure(`if failed: ${(e as Error).message.split('\n')[0]}`, 'condition_failed');
  }
}

function chainOf(processors: CompiledProcessor[]): CompiledChain {
  const n = processors.length;
  const stats: ChainStats = {
    changed: new Array(n).fill(0),
    dropped: new Array(n).fill(0),
    failed: new Array(n).fill(0),
  };
  return {
    processors,
    stats,
    run(doc, meta) {
      let docs: Doc[] = [doc];
      const ctx = { meta };
      let changed = false;
      let split = false;
      for (const p of processors) {
        const next: Doc[] = [];
        for (const d of docs) {
          let result: OperationResult;
          try {
            if (p.condition && !condition(p, d, meta)) {
              next.push(d);
              continue;
            }
            result = p.operation.apply(d, ctx);
          } catch (e) {
            stats.failed[p.index]!++;
            if (p.onFailure === 'skip') {
              next.push(d);
              continue;
            }
            if (p.onFailure === 'drop') {
              stats.dropped[p.index]!++;
              continue;
            }
            const f = e instanceof OperationFailure ? e : new OperationFailure(String(e), 'transform_failed');
            return { kind: 'failed', index: p.index, op: p.op, errorType: f.errorType, reason: f.reason };
          }
          if (result === DROP) {
            stats.dropped[p.index]!++;
          } else if (Array.isArray(result)) {
            stats.changed[p.index]!++;
            changed = true;
            split = true;
            next.push(...result);
          } else {
            if (result) {
              stats.changed[p.index]!++;
              changed = true;
            }
            next.push(d);
          }
        }
        if (next.length > MAX_SPLIT_DOCUMENTS) {
          stats.failed[p.index]!++;
          const reason = `the record would become more than ${MAX_SPLIT_DOCUMENTS} documents`;
          return { kind: 'failed', index: p.index, op: p.op, errorType: 'too_large', reason };
        }
        docs = next;
        if (docs.length === 0) return { kind: 'dropped' };
      }
      return { kind: 'documents', documents: docs, changed, split };
    },
  };
}
